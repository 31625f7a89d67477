"""`gene-r1 kb build|info`: readable output, JSON for scripts, and exit code 1 with a message on bad input."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from gene_r1.knowledge_base import paths
from gene_r1.knowledge_base.cli import app

runner = CliRunner()


def test_build_reports_counts_releases_and_skipped_lines(small_kb_source, tmp_path):
    result = runner.invoke(app, ["build", "--source-dir", str(small_kb_source), "--no-index", "--home", str(tmp_path),
                                 "--quiet"])

    assert result.exit_code == 0, result.output
    assert "reactome 7 pathways (2024-01-01)" in result.stdout
    assert "wikipathways 3 pathways (2023)" in result.stdout
    assert "3 malformed line(s) skipped" in result.stdout
    assert "skipped malformed line" in result.stderr and ":4:" in result.stderr


def test_build_uses_the_home_from_the_environment(small_kb_source, isolated_home):
    result = runner.invoke(app, ["build", "--source-dir", str(small_kb_source), "--no-index", "-q"])

    assert result.exit_code == 0, result.output
    assert paths.store_path(isolated_home).is_file()


def test_info_json_reports_sources_releases_counts_and_index(small_kb_home):
    result = runner.invoke(app, ["info", "--json", "--home", str(small_kb_home)])

    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["schema_version"] == 1 and info["built_at"]
    assert info["reactome"]["pathways"] == 7 and info["reactome"]["release"] == "2024-01-01"
    assert len(info["reactome"]["sha256"]) == 64
    assert info["wikipathways"]["pathways"] == 3
    assert info["symbols"]["source"] == "hgnc"
    assert info["genes"] > 14 and info["aliases"] > 14
    assert info["index"] == {"documents": 0}


def test_info_prints_a_table_by_default(small_kb_home):
    result = runner.invoke(app, ["info", "--home", str(small_kb_home)])

    assert result.exit_code == 0, result.output
    assert "reactome" in result.stdout and "2024-01-01" in result.stdout


def test_info_without_a_kb_exits_1_with_a_hint_and_no_traceback(tmp_path):
    result = runner.invoke(app, ["info", "--home", str(tmp_path)])

    assert result.exit_code == 1
    assert "No knowledge base" in result.stderr and "gene-r1 kb build" in result.stderr
    assert "Traceback" not in result.output


def test_info_on_a_corrupt_kb_exits_1(small_kb_home):
    paths.store_path(small_kb_home).write_bytes(b"garbage" * 100)

    result = runner.invoke(app, ["info", "--json", "--home", str(small_kb_home)])

    assert result.exit_code == 1
    assert "unreadable" in result.stderr


def test_build_from_a_directory_of_unparsable_files_exits_1(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "ReactomePathways.gmt").write_text("nothing\nparses here\n")

    result = runner.invoke(app, ["build", "--source-dir", str(tmp_path / "src"), "--home", str(tmp_path / "h"), "-q"])

    assert result.exit_code == 1
    assert "No valid Reactome gene set" in result.stderr
    assert not paths.store_path(tmp_path / "h").exists()


def test_build_from_a_missing_directory_exits_1(tmp_path):
    result = runner.invoke(app, ["build", "--source-dir", str(tmp_path / "absent"), "--home", str(tmp_path), "-q"])

    assert result.exit_code == 1
    assert "does not exist" in result.stderr
