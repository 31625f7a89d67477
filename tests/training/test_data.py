"""Training data: held-out ids never enter a split, splits are by term, evidence never leaks the target."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from gene_r1.training.benchmarks import held_out_go_ids
from gene_r1.training.data import DataConfig, build_data, read_jsonl
from gene_r1.training.evidence import EvidenceLibrary
from gene_r1.training.similarity import rouge_l

SMALL = DataConfig(seed=7, reasoning={"go_bp": 30, "reactome": 20, "wikipathways": 10, "go_mf": 5, "go_cc": 5},
                   knowledge=8, task=8, validation_fraction=0.2, max_prompt_genes=15)


def word_overlap(names, target):
    """A cheap, real similarity for building test data (the CLI uses the MiniLM encoder)."""
    return [rouge_l(name, target) for name in names]


@pytest.fixture(scope="module")
def library(shared_data):
    return EvidenceLibrary.from_source_dir(shared_data)


@pytest.fixture(scope="module")
def built(shared_data, library, tmp_path_factory):
    out = tmp_path_factory.mktemp("training-data")
    build_data(shared_data, out, SMALL, library=library, similarity=word_overlap)
    return {name: read_jsonl(out / f"{name}.jsonl") for name in ("train", "validation", "dev")} | {"dir": out}


def test_no_reserved_or_gene_r1_test_id_in_any_split(built, shared_data):
    held_out = held_out_go_ids(shared_data)
    reserved = {line.strip() for line in (shared_data / "benchmarks/reserved_go_ids.txt").read_text().split()}
    assert reserved <= held_out and len(held_out) > len(reserved)  # the Gene-R1 test ids are added
    used = {i for r in built["train"] + built["validation"] for i in r["target_id"].split(",")}
    used |= {r["id"] for r in built["dev"]}
    assert used and not used & held_out


def test_train_and_validation_are_split_by_term(built):
    train = {r["target_id"] for r in built["train"] if r["stage"] != "knowledge"}
    validation = {r["target_id"] for r in built["validation"] if r["stage"] != "knowledge"}
    dev = {r["id"] for r in built["dev"]}
    assert train and validation
    assert not train & validation and not train & dev and not validation & dev


def test_dev_set_has_200_go_bp_terms(built):
    assert len(built["dev"]) == 200
    assert all(r["id"].startswith("GO:") and r["genes"] and r["name"] for r in built["dev"])


def test_evidence_excludes_the_target_and_every_set_with_its_genes(built, library):
    pathway_examples = [r for r in built["train"] if r["target_source"] in ("reactome", "wikipathways")]
    assert pathway_examples
    for row in pathway_examples:
        target_genes = library.sets[library.by_id[row["target_id"]]].genes
        shown = {item["pathway_id"] for item in row["evidence"]}
        assert row["target_id"] not in shown
        assert not any(library.sets[library.by_id[i]].genes == target_genes for i in shown)
        assert row["target_id"] in row["excluded_evidence_ids"]


def test_examples_use_the_agents_evidence_prompt_and_the_parsers_format(built):
    from gene_r1.agent.parsing import parse_answer
    from gene_r1.agent.prompts import format_evidence, task_messages

    reasoning = [r for r in built["train"] if r["stage"] == "reasoning"]
    for row in reasoning:
        evidence = format_evidence(row["evidence"]) if row["evidence"] else None
        assert row["prompt"] == task_messages(row["genes"], evidence=evidence)
        parsed = parse_answer(row["completion"][0]["content"])
        assert parsed.followed_format and parsed.name == row["target"]


def test_augmentation_is_recorded_and_respected(built):
    for row in (r for r in built["train"] if r["stage"] == "reasoning"):
        record = row["augmentation"]
        assert len(row["genes"]) <= SMALL.max_prompt_genes
        assert set(record["added_off_target"]) <= set(row["genes"])
        assert 0.5 <= record["keep_fraction"] <= 1.0


def test_all_three_stages_are_built(built):
    stages = Counter(r["stage"] for r in built["train"])
    assert stages["reasoning"] == 70 and stages["task"] == 8 and stages["knowledge"] == 8


def test_the_same_seed_builds_the_same_files(built, shared_data, library, tmp_path):
    build_data(shared_data, tmp_path, SMALL, library=library, similarity=word_overlap)
    for name in ("train", "validation", "dev"):
        assert (tmp_path / f"{name}.jsonl").read_bytes() == (built["dir"] / f"{name}.jsonl").read_bytes()
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["config"]["seed"] == 7


@pytest.mark.slow
def test_train_data_command_builds_splits_without_held_out_ids(shared_data, tmp_path):
    from typer.testing import CliRunner

    from gene_r1.training.cli import gene_r1_app

    app = gene_r1_app()

    recipe = tmp_path / "tiny.yaml"
    recipe.write_text("name: tiny\nstage: sft\ndata:\n  seed: 3\n  reasoning: {go_bp: 6, reactome: 4}\n"
                      "  knowledge: 2\n  task: 2\n  validation_fraction: 0.5\n")
    result = CliRunner().invoke(app, ["train", "data", "--recipe", str(recipe), "--source-dir", str(shared_data),
                                      "--out", str(tmp_path / "data")])
    assert result.exit_code == 0, result.output
    held_out = held_out_go_ids(shared_data)
    rows = read_jsonl(tmp_path / "data" / "train.jsonl") + read_jsonl(tmp_path / "data" / "validation.jsonl")
    assert len(rows) >= 10
    assert not {i for r in rows for i in r["target_id"].split(",")} & held_out
    assert not {r["id"] for r in read_jsonl(tmp_path / "data" / "dev.jsonl")} & held_out


def test_train_data_command_explains_a_missing_source_dir(tmp_path):
    from typer.testing import CliRunner

    from gene_r1.training.cli import gene_r1_app

    app = gene_r1_app()

    result = CliRunner().invoke(app, ["train", "data", "--source-dir", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert "--source-dir" in result.output and "Traceback" not in result.output
