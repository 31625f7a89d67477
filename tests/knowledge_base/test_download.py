"""Online builds against a local server standing in for Reactome, WikiPathways and HGNC."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from gene_r1.knowledge_base import paths
from gene_r1.knowledge_base.build import BuildReport, build_knowledge_base
from gene_r1.knowledge_base.download import SourceUrls, fetch_reactome_summations
from gene_r1.knowledge_base.fetch import HttpPolicy, download_file
from gene_r1.knowledge_base.store import KnowledgeBaseError, PathwayStore
from tests.knowledge_base.local_server import LocalServer, Route

FAST = HttpPolicy(connect_timeout=5.0, read_timeout=5.0, retries=2, backoff=0.01)
SUMMATIONS = {
    "R-HSA-69620": "Checkpoints <b>halt</b> the cycle &amp; wait.",
    "R-HSA-1640170": "The replication of the genome and the division of the cell.",
}
# The official WikiPathways GMT lists Entrez ids (here: CDK1, CCNB1, PLK1, TP53, CDC20; MLH1, MSH2; GAPDH, HK1).
WIKIPATHWAYS_GMT = (
    "Cell cycle%WikiPathways_20240910%WP179%Homo sapiens\thttps://www.wikipathways.org/instance/WP179_r1\t983\t891"
    "\t5347\t7157\t991\n"
    "DNA mismatch repair%WikiPathways_20240910%WP531%Homo sapiens\thttps://x/WP531\t4292\t4436\n"
    "Glycolysis and gluconeogenesis%WikiPathways_20240910%WP534%Homo sapiens\thttps://x/WP534\t2597\t3098\n"
)


def summation_answer(body: bytes) -> bytes:
    """ContentService's /data/query/ids: one object per id; a repeated object is sent as its numeric id."""
    answer = []
    for pid in body.decode().split(","):
        summation = [{"text": SUMMATIONS[pid]}] if pid in SUMMATIONS else [12345]
        answer.append({"stId": pid, "displayName": pid, "summation": summation})
    return json.dumps(answer).encode()


def zipped(name: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


@pytest.fixture
def server(small_kb_source: Path):
    reactome = small_kb_source / "reactome"
    local = LocalServer()
    local.routes = {
        "/reactome/ReactomePathways.gmt.zip": Route(zipped("ReactomePathways.gmt", next(reactome.glob("*.gmt"))
                                                           .read_bytes())),
        "/reactome/ReactomePathways.txt": Route((reactome / "ReactomePathways.txt").read_bytes()),
        "/reactome/ReactomePathwaysRelation.txt": Route((reactome / "ReactomePathwaysRelation.txt").read_bytes()),
        "/ContentService/data/database/version": Route(b"94", content_type="text/plain"),
        "/ContentService/data/query/ids": Route(post=summation_answer, content_type="application/json"),
        "/wp/gmt/": Route(b'<a href="wikipathways-20240110-gmt-Homo_sapiens.gmt">old</a>'
                          b'<a href="wikipathways-20240910-gmt-Homo_sapiens.gmt">new</a>'
                          b'<a href="wikipathways-20240910-gmt-Mus_musculus.gmt">mouse</a>', content_type="text/html"),
        "/wp/gmt/wikipathways-20240910-gmt-Homo_sapiens.gmt": Route(WIKIPATHWAYS_GMT.encode()),
        "/wp/getPathwayInfo.json": Route(json.dumps({"pathwayInfo": [
            {"id": "WP531", "species": "Homo sapiens", "name": "DNA mismatch repair",
             "description": "Mismatch repair <i>corrects</i> replication errors."},
            {"id": "WP999", "species": "Mus musculus", "name": "mouse", "description": "not human"},
        ]}).encode(), content_type="application/json"),
        "/hgnc/hgnc_complete_set.txt": Route((small_kb_source / "hgnc" / "hgnc_complete_set.txt").read_bytes(),
                                             headers={"Last-Modified": "Tue, 01 Oct 2024 10:00:00 GMT"}),
    }
    local.start()
    yield local
    local.stop()


def online_build(home: Path, server: LocalServer) -> BuildReport:
    return build_knowledge_base(home, download=True, with_index=False, show_progress=False, urls=urls(server),
                                policy=FAST)


def urls(server: LocalServer) -> SourceUrls:
    return SourceUrls(
        reactome_download=f"{server.url}/reactome/",
        reactome_content=f"{server.url}/ContentService",
        wikipathways_gmt_listing=f"{server.url}/wp/gmt/",
        wikipathways_info=f"{server.url}/wp/getPathwayInfo.json",
        hgnc=f"{server.url}/hgnc/hgnc_complete_set.txt",
    )


def test_an_online_build_downloads_every_release_and_records_where_it_came_from(server, tmp_path):
    report = online_build(tmp_path, server)

    assert report.pathways == {"reactome": 7, "wikipathways": 3}
    releases = {r.source: r for r in PathwayStore.open(paths.store_path(tmp_path)).releases()}
    assert (releases["reactome"].release, releases["reactome"].origin) == (
        "v94", f"{server.url}/reactome/ReactomePathways.gmt.zip")
    assert releases["wikipathways"].release == "2024-09-10"
    assert releases["hgnc"].release == "2024-10-01"
    assert all(len(r.sha256) == 64 for r in releases.values())


def test_an_online_build_maps_wikipathways_entrez_ids_through_hgnc(server, tmp_path):
    online_build(tmp_path, server)

    store = PathwayStore.open(paths.store_path(tmp_path))
    assert store.pathway("WP179").genes == ("CCNB1", "CDC20", "CDK1", "PLK1", "TP53")
    assert store.gene("CDK1").name == "cyclin dependent kinase 1"


def test_online_descriptions_lead_with_the_services_text(server, tmp_path):
    online_build(tmp_path, server)

    store = PathwayStore.open(paths.store_path(tmp_path))
    checkpoints = store.pathway("R-HSA-69620").description
    assert checkpoints.startswith("Checkpoints halt the cycle & wait.")
    assert "Top-level category: Cell Cycle." in checkpoints
    assert store.pathway("WP531").description.startswith("Mismatch repair corrects replication errors.")
    assert store.pathway("R-HSA-70171").description.startswith("Glycolysis is a Reactome pathway")


def test_summations_are_requested_in_batches_of_at_most_twenty_ids(server):
    ids = [f"R-HSA-{n}" for n in range(45)] + ["R-HSA-69620"]

    texts = fetch_reactome_summations(ids, base_url=f"{server.url}/ContentService", policy=FAST, show_progress=False)

    batches = server.requests_to("/ContentService/data/query/ids")
    assert [len(b.decode().split(",")) for b in batches] == [20, 20, 6]
    assert texts == {"R-HSA-69620": "Checkpoints halt the cycle & wait."}


def test_a_failing_contentservice_is_a_warning_and_pathways_keep_structural_descriptions(server, tmp_path):
    server.routes["/ContentService/data/query/ids"].status = 404

    report = online_build(tmp_path, server)

    assert any("Reactome summations unavailable" in w for w in report.warnings)
    description = PathwayStore.open(paths.store_path(tmp_path)).pathway("R-HSA-69620").description
    assert description.startswith("Cell Cycle Checkpoints is a Reactome pathway")


def test_a_failed_download_leaves_the_previous_kb_untouched(server, small_kb_home):
    before = paths.store_path(small_kb_home).read_bytes()
    server.routes["/hgnc/hgnc_complete_set.txt"].fail_first = 100

    with pytest.raises(KnowledgeBaseError, match="after 3 attempt"):
        online_build(small_kb_home, server)

    assert paths.store_path(small_kb_home).read_bytes() == before


def test_server_errors_are_retried_with_backoff(server, tmp_path):
    server.routes["/hgnc/hgnc_complete_set.txt"].fail_first = 2

    got = download_file(f"{server.url}/hgnc/hgnc_complete_set.txt", tmp_path / "hgnc.txt", policy=FAST,
                        show_progress=False)

    assert len(server.requests_to("/hgnc/hgnc_complete_set.txt")) == 3
    assert got.size == got.path.stat().st_size > 0 and got.last_modified == "2024-10-01"


def test_a_missing_file_is_not_retried(server, tmp_path):
    with pytest.raises(KnowledgeBaseError, match="HTTP 404"):
        download_file(f"{server.url}/nothing-here", tmp_path / "x", policy=FAST, show_progress=False)

    assert len(server.requests_to("/nothing-here")) == 1


def test_a_truncated_download_fails_the_size_check_and_keeps_the_previous_file(server, tmp_path):
    server.routes["/hgnc/hgnc_complete_set.txt"].truncate = True
    target = tmp_path / "hgnc.txt"
    target.write_text("previous")

    with pytest.raises(KnowledgeBaseError, match="after 3 attempt"):
        download_file(f"{server.url}/hgnc/hgnc_complete_set.txt", target, policy=FAST, show_progress=False)

    assert target.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["hgnc.txt"]


def test_a_slow_server_times_out(server, tmp_path):
    server.routes["/hgnc/hgnc_complete_set.txt"].delay = 2.0

    with pytest.raises(KnowledgeBaseError, match="Timeout"):
        download_file(f"{server.url}/hgnc/hgnc_complete_set.txt", tmp_path / "x",
                      policy=HttpPolicy(connect_timeout=0.2, read_timeout=0.2, retries=0), show_progress=False)


def test_a_checksum_mismatch_is_refused(server, tmp_path):
    with pytest.raises(KnowledgeBaseError, match="sha256"):
        download_file(f"{server.url}/hgnc/hgnc_complete_set.txt", tmp_path / "x", policy=FAST,
                      show_progress=False, expected_sha256="0" * 64)

    assert not (tmp_path / "x").exists()


def test_a_corrupt_zip_is_a_clear_error(server, tmp_path):
    server.routes["/reactome/ReactomePathways.gmt.zip"].body = b"this is not a zip archive"

    with pytest.raises(KnowledgeBaseError, match="not a valid zip"):
        online_build(tmp_path, server)
