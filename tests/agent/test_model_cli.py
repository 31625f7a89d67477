"""`gene-r1 model info | generate`, run through Typer's test runner on real models and a local server."""

from __future__ import annotations

import json
import socket

import pytest
from typer.testing import CliRunner

from gene_r1.agent.model_cli import app

MITOTIC = ["CDK1", "CCNB1", "CCNA2", "PLK1", "AURKA", "BUB1", "MAD2L1", "CDC20"]
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def sent_genes(server) -> str:
    return server.requests[-1]["messages"][-1]["content"].split("<genes>\n")[1].split("\n</genes>")[0]


def test_generate_against_an_openai_compatible_server_prints_the_parsed_answer(openai_server):
    result = run("generate", "--genes", *MITOTIC, "--backend", "openai", "--base-url", openai_server.url)

    assert result.exit_code == 0, result.output
    assert "Process:    Gene set led by CDK1" in result.stdout
    assert "Confidence: 0.50" in result.stdout
    assert "Format:     followed" in result.stdout
    assert "Raw answer:\n<think>" in result.stdout
    assert sent_genes(openai_server) == ", ".join(MITOTIC)


def test_genes_may_be_comma_separated_or_come_from_a_file(openai_server, tmp_path):
    genes_file = tmp_path / "genes.txt"
    genes_file.write_text("PLK1\nAURKA\n")

    result = run("generate", "--genes", "CDK1,CCNB1", "--genes-file", genes_file, "--backend", "openai",
                 "--base-url", openai_server.url)

    assert result.exit_code == 0, result.output
    assert sent_genes(openai_server) == "CDK1, CCNB1, PLK1, AURKA"


def test_json_output_has_the_parsed_answer_tokens_and_model(openai_server):
    result = run("generate", "--genes", *MITOTIC, "--backend", "openai", "--base-url", openai_server.url, "--json")

    answer = json.loads(result.stdout)
    assert answer["name"] == "Gene set led by CDK1"
    assert answer["confidence"] == 0.5 and answer["followed_format"] is True
    assert answer["genes"] == MITOTIC
    assert answer["completion_tokens"] > 0 and answer["prompt_tokens"] > 0
    assert answer["model"]["backend"] == "openai"


def test_an_evidence_file_puts_the_evidence_in_the_prompt(openai_server, tmp_path):
    evidence = tmp_path / "evidence.json"
    evidence.write_text(json.dumps([{"pathway_id": "R-HSA-68886", "source": "reactome", "name": "M Phase",
                                     "genes": ["CDK1", "PLK1"], "fdr": 1e-6, "kind": "enrichment"}]))

    result = run("generate", "--genes", *MITOTIC, "--evidence-file", evidence, "--backend", "openai",
                 "--base-url", openai_server.url)

    assert result.exit_code == 0, result.output
    prompt = openai_server.requests[-1]["messages"][-1]["content"]
    assert "<evidence>\n[1] R-HSA-68886 (reactome) M Phase | enriched, FDR 1e-06 | genes in set: CDK1, PLK1" in prompt


def test_reference_style_sends_the_authors_prompt(openai_server):
    result = run("generate", "--genes", *MITOTIC, "--prompt-style", "reference", "--backend", "openai",
                 "--base-url", openai_server.url, "--model", "ncbi/Gene-R1-8B")

    assert result.exit_code == 0, result.output
    assert openai_server.requests[-1]["prompt"].startswith("#SYSTEM: \nYou are an efficient and insightful")


def test_generate_with_a_local_model_prints_what_it_wrote(tiny_model_dir):
    result = run("generate", "--genes", *MITOTIC, "--model", tiny_model_dir, "--max-new-tokens", "8")

    assert result.exit_code == 0, result.output
    assert "Process:    (none found)" in result.stdout  # a random model writes no answer
    assert "Format:     not followed" in result.stdout
    assert "transformers on cpu" in result.stdout
    assert "completion 8 in" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["generate"], "No genes given"),
        (["generate", "--genes", "CDK1", "--model", "/nonexistent/dir"], "No model at /nonexistent/dir"),
        (["generate", "--genes", "CDK1", "--backend", "openai"], "--base-url"),
        (["generate", "--genes", "CDK1", "--backend", "tpu"], "Unknown backend"),
        (["generate", "--genes", "CDK1", "<script>"], "Not gene symbols"),
        (["generate", "--genes", "CDK1", "--evidence-file", "/nonexistent.json"], "Cannot read the evidence file"),
        (["generate", "--genes", "CDK1", "--prompt-style", "reference", "--evidence-file", "x.json"], "no evidence"),
    ],
)
def test_bad_input_is_a_one_line_error_and_exit_code_1(args, message):
    result = run(*args)

    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_an_unreachable_server_is_a_one_line_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    result = run("generate", "--genes", "CDK1", "--backend", "openai", "--base-url", f"http://127.0.0.1:{port}/v1",
                 "--model", "m")

    assert result.exit_code == 1
    assert "cannot connect" in result.stderr


def test_a_malformed_evidence_file_is_refused(tmp_path):
    evidence = tmp_path / "evidence.json"
    evidence.write_text('{"not": "a list"}')

    result = run("generate", "--genes", "CDK1", "--evidence-file", evidence)

    assert result.exit_code == 1
    assert "must hold a JSON list" in result.stderr


def test_info_reports_the_settings_without_converting_the_embedded_model(isolated_home):
    result = run("info", "--json", "--threads", "1")

    details = json.loads(result.stdout)
    assert details["backend"] == "transformers"
    assert details["model"] == "SmolLM2-135M-Instruct (embedded)"
    assert details["converted"] is False
    assert (details["device"], details["dtype"], details["threads"]) == ("cpu", "float32", 1)
    assert "adapter" in details and "default_adapter" in details
    assert not (isolated_home / "models").exists()


def test_info_load_reports_what_was_loaded(tiny_model_dir):
    result = run("info", "--load", "--model", tiny_model_dir)

    assert result.exit_code == 0, result.output
    assert f"model:          {tiny_model_dir}" in result.stdout
    assert "context_length: 2048" in result.stdout


def test_the_model_commands_are_registered_in_the_gene_r1_app():
    from gene_r1.agent.cli import app as root

    result = runner.invoke(root, ["model", "--help"])

    assert result.exit_code == 0
    assert "info" in result.stdout and "generate" in result.stdout
