"""The agent's commands: clear output, clear errors, non-zero exits on bad input."""

import json

import pytest
from typer.testing import CliRunner

from gene_r1.agent.cli import app
from tests.agent.conftest import MISMATCH_REPAIR

runner = CliRunner()


@pytest.fixture
def env(agent_config, monkeypatch):
    monkeypatch.setenv("GENE_R1_HOME", str(agent_config.home))
    monkeypatch.setenv("GENE_R1_MODEL", agent_config.model)


def test_analyze_prints_json_with_name_and_evidence(env):
    result = runner.invoke(app, ["analyze", *MISMATCH_REPAIR, "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["name"] and payload["evidence"]


def test_analyze_writes_an_html_report_with_escaped_input(env, tmp_path):
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["analyze", *MISMATCH_REPAIR, "<script>alert(1)</script>", "--html", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_analyze_without_genes_exits_non_zero_with_a_message(env):
    result = runner.invoke(app, ["analyze"])
    assert result.exit_code == 1 and "No genes given" in result.output


def test_analyze_of_unknown_genes_exits_non_zero(env):
    result = runner.invoke(app, ["analyze", "NOTAGENE1", "--json"])
    assert result.exit_code == 1 and json.loads(result.output)["error"]


def test_analyze_of_unknown_genes_in_the_terminal_names_them_without_an_empty_report(env):
    result = runner.invoke(app, ["analyze", "NOTAGENE1", "NOTAGENE2"])

    assert result.exit_code == 1
    assert "Unknown symbols: NOTAGENE1, NOTAGENE2" in result.output
    assert "Evidence" not in result.output and "Verification" not in result.output


def test_verify_prints_a_verdict(env):
    result = runner.invoke(app, ["verify", "--claim", "DNA mismatch repair", *MISMATCH_REPAIR])
    assert result.exit_code == 0, result.output
    assert "Verdict: supported" in result.output


def test_batch_of_a_malformed_file_is_a_clear_error(env, tmp_path):
    bad = tmp_path / "bad.gmt"
    bad.write_text("only-a-name\n")
    result = runner.invoke(app, ["batch", str(bad), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and "line 1" in result.output


def test_a_damaged_knowledge_base_is_a_clear_error(monkeypatch, tmp_path, agent_config):
    # A missing KB is built from the embedded releases on first use; a damaged one is an error naming the fix.
    store = tmp_path / "damaged-home" / "kb" / "pathways.sqlite"
    store.parent.mkdir(parents=True)
    store.write_bytes(b"not a database")
    monkeypatch.setenv("GENE_R1_HOME", str(tmp_path / "damaged-home"))
    result = runner.invoke(app, ["verify", "--claim", "x", "MLH1"])
    assert result.exit_code == 1 and "kb build --force" in result.output
