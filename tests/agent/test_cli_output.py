"""What the terminal shows: one line for --html, Markdown rendered in chat, no library noise unless --verbose."""

import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from gene_r1.agent.cli import app
from tests.agent.conftest import MITOSIS

runner = CliRunner()
NOISE = ("FutureWarning", "Loading weights", "UserWarning")


@pytest.fixture
def env(agent_config, monkeypatch):
    monkeypatch.setenv("GENE_R1_HOME", str(agent_config.home))
    monkeypatch.setenv("GENE_R1_MODEL", agent_config.model)


def run_cli(args: list[str], agent_config) -> str:
    """The real command in a fresh process (library warnings and bars appear once per process), stdout + stderr."""
    env = os.environ | {"GENE_R1_HOME": str(agent_config.home), "GENE_R1_MODEL": agent_config.model}
    env.pop("HF_HUB_DISABLE_PROGRESS_BARS", None)
    env.pop("TRANSFORMERS_VERBOSITY", None)
    done = subprocess.run(
        [sys.executable, "-m", "gene_r1.agent.cli", *args], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_analyze_with_html_writes_the_file_and_prints_only_where(env, tmp_path):
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["analyze", *MITOSIS, "--html", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == f"Report written to {out}\n"
    assert '<svg class="chart"' in out.read_text()


def test_chat_answers_are_rendered_markdown_not_asterisks(env, tmp_path):
    result = runner.invoke(app, ["chat", "--thread", f"markdown-{tmp_path.name}", "-m", " ".join(MITOSIS)])
    assert result.exit_code == 0, result.output
    assert "confidence" in result.output and "**" not in result.output


def test_analyze_prints_no_library_warnings_or_weight_loading_bars(agent_config):
    output = run_cli(["analyze", *MITOSIS], agent_config)
    assert "Why this name" in output
    assert not [noise for noise in NOISE if noise in output], output


def test_verbose_shows_the_libraries_progress_bars(agent_config):
    output = run_cli(["--verbose", "verify", "--claim", "cell cycle", *MITOSIS], agent_config)
    assert "Loading weights" in output


def test_the_terminal_report_shows_the_verdict_the_themes_and_numbered_evidence_with_its_fdr_convention(
        capsys, monkeypatch):
    from gene_r1.agent.commands import print_summary
    from gene_r1.tools.formatting import FDR_CONVENTION
    from tests.agent.report_fixtures import mixed_analysis

    monkeypatch.setenv("COLUMNS", "250")
    print_summary(mixed_analysis())
    out = capsys.readouterr().out
    assert out.index("Partly coherent: themes cover part of the set") < out.index("Why this name")
    assert "Coherence 0.58: the probability that these 15 genes share a specific function" in out
    assert "Theme 2: Cholesterol biosynthesis (R-HSA-191273)" in out and "Genes: HMGCR, HMGCS1, MVK" in out
    assert "[n]" in out and "[2]" in out and "Cholesterol biosynthesis (theme 2)" in out
    assert " ".join(FDR_CONVENTION.split()) in " ".join(out.split())


def test_analyze_markdown_and_json_carry_the_verdict_fields(env):
    import json

    as_json = runner.invoke(app, ["analyze", *MITOSIS, "--json"])
    assert as_json.exit_code == 0, as_json.output
    result = json.loads(as_json.output)
    assert {"verdict", "coherence", "name_confidence", "themes"} <= set(result)
    assert result["verdict"] == (result["coherence"] or {}).get("verdict", "")
    markdown = runner.invoke(app, ["analyze", *MITOSIS, "--markdown"])
    assert markdown.exit_code == 0, markdown.output
    assert ("## Verdict" in markdown.output) == (result["coherence"] is not None)
    assert "| [n] | kind | pathway |" in markdown.output and "gseapy's convention" in markdown.output
