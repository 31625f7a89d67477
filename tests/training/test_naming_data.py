"""Naming data: the genes with their full names and the ranker's best candidates as the prompt, a `<think>` citing
the candidates nearest the true name then `Process: <true name>` as the answer; built from the judge-data gene sets."""

from __future__ import annotations

import json
import re

import pytest

from gene_r1.agent.naming import NAMING_GENES, naming_prompt
from gene_r1.agent.parsing import parse_answer
from gene_r1.training.benchmarks import held_out_go_ids
from gene_r1.training.naming_data import NamingDataConfig, build_naming_data, naming_answer, naming_example
from tests.training.test_judge_training import OrderRanker, fake_embed


def candidate(number: int, name: str, label: float, genes=("MLH1",), fdr: float | None = 1e-3) -> dict:
    return {"number": number, "name": name, "pathway_id": f"R-HSA-{number}", "source": "reactome",
            "kind": "enrichment", "overlap_genes": list(genes), "pathway_size": 20, "p_value": 1e-4, "fdr": fdr,
            "enrichment_rank": number, "ranker_score": 0.0, "probability": 0.0, "label": label}


def test_the_answer_cites_the_candidates_nearest_the_true_name_then_gives_it():
    shortlist = [candidate(1, "DNA Repair", 0.52), candidate(2, "Mismatch repair", 0.91),
                 candidate(3, "Mismatch repair (MMR) directed by MSH2:MSH6", 0.88), candidate(4, "Cell cycle", 0.1)]
    answer = naming_answer(shortlist, "mismatch repair")
    assert answer == "<think>\nClosest: [2], [3].\n</think>\nProcess: mismatch repair"
    parsed = parse_answer(answer)
    assert parsed.name == "mismatch repair" and parsed.reasoning == "Closest: [2], [3]."


def test_the_answer_says_when_no_candidate_names_the_set_well():
    answer = naming_answer([candidate(1, "Metabolism", 0.2), candidate(2, "Disease", 0.31)], "biotin metabolic process")
    assert answer.startswith("<think>\nNo candidate names it well; closest: [2].\n</think>")


def test_the_prompt_shows_at_most_fifteen_genes_covered_ones_first_with_their_full_names():
    genes = [f"GENE{i}" for i in range(30)] + ["MLH1", "MSH2"]
    shortlist = [candidate(1, "Mismatch repair", 0.9, genes=("MLH1", "MSH2"))]
    user = naming_prompt(genes, shortlist, {"MLH1": "mutL homolog 1", "GENE0": "gene zero"})[1]["content"]
    block = user.split("<genes>\n")[1].split("\n</genes>")[0].splitlines()
    assert len(block) == NAMING_GENES
    assert block[:3] == ["MLH1: mutL homolog 1", "MSH2", "GENE0: gene zero"]
    assert "1. Mismatch repair (2/32 genes, FDR 1e-03)" in user


def test_an_example_keeps_the_ranker_order_and_each_shown_candidates_label():
    row = {"id": "GO:1", "source": "go_bp", "true_name": "mismatch repair", "genes": ["MLH1", "MSH2"],
           "pool": [candidate(7, "Cell cycle", 0.1), candidate(8, "Mismatch repair", 0.9)]}
    ranked = [{**row["pool"][1], "number": 1}, {**row["pool"][0], "number": 2}]
    example = naming_example(row, ranked, {"MLH1": "mutL homolog 1"}, shown=6, split="dev")
    assert example["stage"] == "naming" and example["target"] == "mismatch repair"
    assert [(c["number"], c["name"], c["label"]) for c in example["candidates"]] == [
        (1, "Mismatch repair", 0.9), (2, "Cell cycle", 0.1)]
    assert example["completion"][0]["content"].endswith("Process: mismatch repair")


@pytest.fixture(scope="module")
def naming_data(shared_data, built_kb_home, tmp_path_factory):
    from gene_r1.tools.context import open_knowledge_base

    kb = open_knowledge_base(built_kb_home)
    out = tmp_path_factory.mktemp("naming-data")
    build_naming_data(shared_data, kb, out, NamingDataConfig(seed=5, train=20, dev=6), fake_embed, OrderRanker(),
                      lambda genes: {g: f"name of {g}" for g in genes})
    return out


def read(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.mark.slow
def test_naming_data_holds_no_reserved_or_benchmark_term_and_splits_by_term(naming_data, shared_data):
    train, dev = read(naming_data / "train.jsonl"), read(naming_data / "dev.jsonl")
    assert train and dev
    ids = {r["id"].removeprefix("naming-") for r in train + dev}
    assert not ids & held_out_go_ids(shared_data)
    assert not {r["id"] for r in train} & {r["id"] for r in dev}


@pytest.mark.slow
def test_naming_data_is_the_same_for_the_same_seed(naming_data, shared_data, built_kb_home, tmp_path):
    from gene_r1.tools.context import open_knowledge_base

    build_naming_data(shared_data, open_knowledge_base(built_kb_home), tmp_path, NamingDataConfig(seed=5, train=20,
                      dev=6), fake_embed, OrderRanker(), lambda genes: {g: f"name of {g}" for g in genes})
    assert (tmp_path / "train.jsonl").read_text() == (naming_data / "train.jsonl").read_text()


@pytest.mark.slow
def test_every_example_answers_with_its_true_name_and_cites_a_shown_candidate(naming_data):
    for row in read(naming_data / "train.jsonl"):
        parsed = parse_answer(row["completion"][0]["content"])
        assert parsed.name == row["target"].rstrip(".").strip()
        cited = {int(n) for n in re.findall(r"\[(\d+)\]", parsed.reasoning)}
        assert cited and cited <= {c["number"] for c in row["candidates"]}
