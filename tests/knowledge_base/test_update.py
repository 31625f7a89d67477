"""`gene-r1 kb update`: fetch the current releases (a local server here), rebuild, and record what changed."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from gene_r1.knowledge_base import download, fetch, paths
from gene_r1.knowledge_base.changes import CHANGES_FILE
from gene_r1.knowledge_base.cli import app
from tests.knowledge_base.test_download import FAST, online_build, server, urls, zipped  # noqa: F401 (fixture)

runner = CliRunner()


@pytest.fixture
def official(server, monkeypatch):  # noqa: F811 (the imported fixture)
    """Point the CLI's default download servers at the local one."""
    monkeypatch.setattr(download, "SourceUrls", lambda: urls(server))
    monkeypatch.setattr(fetch, "DOWNLOAD_POLICY", FAST)
    return server


def publish_reactome(local, text: str) -> None:
    local.routes["/reactome/ReactomePathways.gmt.zip"].body = zipped("ReactomePathways.gmt", text.encode())


def test_update_downloads_rebuilds_and_records_added_removed_and_renamed_pathways(official, small_kb_source,
                                                                                   tmp_path):
    home = tmp_path / "home"
    online_build(home, official)
    gmt = next((small_kb_source / "reactome").glob("*.gmt")).read_text()
    newer = [("Glycolysis (renamed)\t" + line.split("\t", 1)[1]) if "\tR-HSA-70171\t" in line else line
             for line in gmt.splitlines() if "\tR-HSA-69306\t" not in line]
    publish_reactome(official, "\n".join([*newer, "Brand new pathway\tR-HSA-4242\tTP53\tCDK1", ""]))

    result = runner.invoke(app, ["update", "--home", str(home), "-q"])

    assert result.exit_code == 0, result.output
    assert "1 pathway(s) added, 1 removed, 1 renamed" in result.output
    assert "added: R-HSA-4242 Brand new pathway" in result.output
    assert "removed: R-HSA-69306 DNA Replication" in result.output
    assert "renamed: R-HSA-70171 'Glycolysis' -> 'Glycolysis (renamed)'" in result.output
    changes = json.loads((paths.kb_dir(home) / CHANGES_FILE).read_text())
    assert changes["added"] == [["R-HSA-4242", "Brand new pathway"]]
    assert changes["renamed"] == [{"id": "R-HSA-70171", "old": "Glycolysis", "new": "Glycolysis (renamed)"}]
    assert changes["releases_before"]["reactome"] == changes["releases_after"]["reactome"] == "v94"


def test_a_failed_first_download_leaves_no_downloads_dir_and_no_lock(official, tmp_path):
    home = tmp_path / "home"
    official.routes["/reactome/ReactomePathways.gmt.zip"].fail_first = 100  # offline from the start

    result = runner.invoke(app, ["update", "--home", str(home), "-q"])

    assert result.exit_code == 1 and "after 3 attempt" in result.output
    assert sorted(p.name for p in home.iterdir()) == []


def test_build_never_downloads_unless_asked(small_kb_source, tmp_path, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("kb build touched the network")

    monkeypatch.setattr(fetch.requests, "request", no_network)

    result = runner.invoke(app, ["build", "--source-dir", str(small_kb_source), "--home", str(tmp_path), "-q",
                                 "--no-index"])

    assert result.exit_code == 0, result.output
