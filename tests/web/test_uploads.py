"""Uploads are checked before any parser sees them: size, extension, text."""

from __future__ import annotations

import io

import pytest

from gene_r1.agent.web.uploads import UploadError, read_upload, safe_filename
from tests.web.conftest import LOCAL


def test_a_gmt_upload_comes_back_with_its_bytes():
    data = b"set1\tdesc\tCDK1\tCCNB1\n"
    assert read_upload("mine.gmt", io.BytesIO(data)) == ("mine.gmt", data)


def test_an_upload_over_the_limit_is_refused_with_413():
    with pytest.raises(UploadError, match="upload limit") as caught:
        read_upload("big.tsv", io.BytesIO(b"gene\n" + b"A\n" * 600), max_bytes=1000)
    assert caught.value.status == 413


@pytest.mark.parametrize("name", ["genes.xlsx", "script.js", "noextension"])
def test_files_that_are_not_gene_tables_are_refused_by_type(name):
    with pytest.raises(UploadError, match="unsupported file type") as caught:
        read_upload(name, io.BytesIO(b"a\tb\tc\n"))
    assert caught.value.status == 415


def test_binary_content_is_refused_even_with_a_text_extension():
    with pytest.raises(UploadError, match="not a text file"):
        read_upload("sets.gmt", io.BytesIO(b"PK\x03\x04\x00\x00binary"))


def test_text_that_is_not_utf8_is_refused_with_the_byte_at_fault():
    with pytest.raises(UploadError, match=r"not UTF-8 text \(byte 4\)"):
        read_upload("sets.csv", io.BytesIO(b"gene\xff\xfe,x\n"))


def test_an_empty_file_is_refused():
    with pytest.raises(UploadError, match="is empty") as caught:
        read_upload("sets.gmt", io.BytesIO(b"  \n"))
    assert caught.value.status == 400


def test_folder_parts_of_an_uploaded_name_are_dropped():
    assert safe_filename("../../etc/passwd.gmt") == "passwd.gmt"
    assert safe_filename("C:\\Users\\me\\sets.gmt") == "sets.gmt"
    assert safe_filename(None) == "upload.txt"


def test_control_characters_and_nul_bytes_are_dropped_from_an_uploaded_name():
    assert safe_filename("sets\x00.gmt\n") == "sets.gmt"
    assert safe_filename("..") == safe_filename("/") == "upload.txt"


@pytest.mark.parametrize("name", ["../../etc/passwd.gmt", "..\\..\\evil.gmt", "/etc/cron.d/x.gmt", "nul\x00/../a.gmt"])
def test_an_uploaded_file_is_stored_under_a_generated_name_never_its_own(tmp_path, name):
    from fastapi.testclient import TestClient

    from gene_r1.agent.config import AgentConfig
    from gene_r1.agent.web.app import create_app

    state = tmp_path / "state"
    app = create_app(AgentConfig(home=tmp_path / "no-kb"), token=None, home=state, warm=False)
    with TestClient(app, base_url=LOCAL) as client:
        app.state.web.worker.stop()  # the job stays queued: only where its file went matters here
        response = client.post("/api/jobs", files={"file": (name, b"s1\tdesc\tCDK1\tCCNB1\n", "text/plain")})
    assert response.status_code == 201, response.text
    job = response.json()
    assert "/" not in job["filename"] and "\\" not in job["filename"] and "\x00" not in job["filename"]
    stored = sorted(p.relative_to(state).as_posix() for p in state.rglob("*") if p.is_file())
    assert stored == [f"jobs/{job['id']}/input.gmt", f"jobs/{job['id']}/job.json"]
