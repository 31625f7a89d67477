"""Judge training: data from the agent's own evidence engine with the target left out, the feature ranker and its
calibration, the judge examples, the rewards, and DPO/GRPO on the tiny model."""

from __future__ import annotations

import hashlib
import json
import os
import random
import subprocess
import sys

import numpy as np
import pytest

from gene_r1.training.benchmarks import held_out_go_ids
from gene_r1.training.grounded_eval import paired_bootstrap
from gene_r1.training.judge_data import JudgeDataConfig, LeaveOut, build_judge_data, dev_bucket
from gene_r1.training.judge_model_data import judge_examples
from gene_r1.training.judge_train import (
    expected_calibration_error,
    featurize,
    fit_name_projection,
    relevance,
    train_ranker,
)
from gene_r1.training.rewards import judge_choice, judge_choice_reward, judge_verified_reward
from tests.training.tiny_recipes import tiny_recipe


def trigram_bucket(trigram: str) -> int:
    """A stable hash (Python's `hash()` of a str is salted per process, so scores would change between runs)."""
    return int.from_bytes(hashlib.blake2b(trigram.encode(), digest_size=4).digest(), "big") % 64


def fake_embed(texts):
    """A deterministic stand-in embedding: bag of character trigrams, hashed and L2-normalised."""
    vectors = np.zeros((len(texts), 64))
    for i, text in enumerate(texts):
        padded = f"  {text.lower()}  "
        for j in range(len(padded) - 2):
            vectors[i, trigram_bucket(padded[j : j + 3])] += 1.0
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)


@pytest.fixture(scope="module")
def kb(built_kb_home):
    from gene_r1.tools.context import open_knowledge_base

    return open_knowledge_base(built_kb_home)


@pytest.fixture(scope="module")
def judge_data(shared_data, kb, tmp_path_factory):
    out = tmp_path_factory.mktemp("judge-data")
    config = JudgeDataConfig(seed=3, train=30, dev=10, max_genes=60)
    build_judge_data(shared_data, kb, out, config, fake_embed)
    return out


def read(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def dev_side_in_a_fresh_interpreter(ids, hash_seed: str) -> list[bool]:
    code = ("import json, sys; from gene_r1.training.judge_data import dev_bucket; "
            "print(json.dumps([dev_bucket(i) for i in json.load(sys.stdin)]))")
    done = subprocess.run([sys.executable, "-c", code], input=json.dumps(ids), capture_output=True, text=True,
                          check=True, env={**os.environ, "PYTHONHASHSEED": hash_seed})
    return json.loads(done.stdout)


def test_terms_stay_on_one_side_of_the_dev_split():
    """The side is a function of the term id alone: the same in every process (no salted hash), about 1 in 6."""
    ids = [f"GO:{i:07d}" for i in range(600)]
    here = [dev_bucket(i) for i in ids]
    assert dev_side_in_a_fresh_interpreter(ids, "1") == here == dev_side_in_a_fresh_interpreter(ids, "2")
    assert 60 < sum(here) < 140


def test_the_stand_in_embedding_is_the_same_in_every_process():
    code = ("import json; from tests.training.test_judge_training import fake_embed; "
            "print(json.dumps(fake_embed(['mitotic cell cycle', 'DNA repair']).round(6).tolist()))")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")]
    assert runs[0] == runs[1]
    assert np.allclose(json.loads(runs[0]), fake_embed(["mitotic cell cycle", "DNA repair"]), atol=1e-6)


def test_judge_data_holds_no_reserved_or_benchmark_term_and_splits_by_term(judge_data, shared_data):
    train, dev = read(judge_data / "train.jsonl"), read(judge_data / "dev.jsonl")
    held_out = held_out_go_ids(shared_data)
    assert train and dev
    assert not ({r["id"] for r in train + dev} & held_out)
    assert not ({r["id"] for r in train} & {r["id"] for r in dev})
    assert {r["source"] for r in train} >= {"go_bp", "reactome"}


def test_the_target_and_its_near_copies_never_appear_among_its_candidates(judge_data, kb):
    leave_out = LeaveOut(kb, 0.5)
    for row in read(judge_data / "train.jsonl"):
        pool_ids = {c["pathway_id"] for c in row["pool"]}
        assert row["id"] not in pool_ids
        target_genes = kb.store.pathway(row["id"]).genes if row["source"] in ("reactome", "wikipathways") else None
        if target_genes:
            assert not (pool_ids & leave_out.ids(target_genes, row["id"]))


def test_every_candidate_is_labelled_with_its_similarity_to_the_true_name(judge_data):
    rows = read(judge_data / "dev.jsonl")
    assert rows
    for row in rows:
        truth = fake_embed([row["true_name"]])[0]
        expected = [round(float(fake_embed([c["name"]])[0] @ truth), 5) for c in row["pool"]]
        assert [c["label"] for c in row["pool"]] == pytest.approx(expected, abs=1e-5)


def test_relevance_grades_cosines_from_zero_to_twenty():
    assert relevance(np.array([-0.3, 0.02, 0.55, 1.0])).tolist() == [0, 0, 11, 20]


def synthetic_rows(count, seed=0):
    """Gene sets whose candidates' labels follow their overlap: a signal a ranker can learn."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(count):
        pool = []
        for j in range(6):
            quality = rng.uniform(0, 1)
            pool.append({"name": f"pathway {i}-{j}", "pathway_id": f"R-HSA-{i}{j}", "source": "reactome",
                         "kind": "enrichment", "overlap_genes": [f"G{k}" for k in range(int(quality * 10) + 1)],
                         "pathway_size": 50, "p_value": 1e-3, "fdr": 1e-2, "enrichment_rank": j + 1,
                         "label": quality})
        rows.append({"id": f"GO:{i}", "source": "go_bp", "true_name": f"process {i}",
                     "genes": [f"G{k}" for k in range(12)], "pool": pool})
    return rows


def test_the_ranker_learns_a_signal_that_the_labels_carry():
    rows = synthetic_rows(120)
    data = featurize(rows, fake_embed, fit_name_projection(rows, fake_embed))
    booster = train_ranker(data, rounds=30)
    from gene_r1.training.judge_train import chosen_cosines

    chosen = chosen_cosines(booster.predict(data.features), data).mean()
    first = chosen_cosines(-data.features[:, 0], data).mean()  # the top hit
    assert chosen > first + 0.1


def test_training_writes_assets_the_agent_loads_and_ranks_with(tmp_path, monkeypatch):
    from gene_r1.agent.judge import rank
    from gene_r1.agent.ranker import ASSET_FILES, load_ranker
    from gene_r1.training import judge_pipeline

    data_dir, assets = tmp_path / "data", tmp_path / "assets"
    data_dir.mkdir()
    for split, rows in (("train", synthetic_rows(120)), ("dev", synthetic_rows(40, seed=1))):
        (data_dir / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    assets.mkdir()
    earlier = {"feature_names": ["an", "older", "feature", "set"], "model_weight": 0.5,
               "facts": {"model_signal": {"measured": "by hand"}, "dev_mean_cosine": {"ranker": 0.3}}}
    (assets / "judge.json").write_text(json.dumps(earlier))
    monkeypatch.setattr(judge_pipeline, "embedder", lambda: fake_embed)
    settings = judge_pipeline.train(data_dir, assets, log=lambda _: None)
    assert sorted(p.name for p in assets.iterdir()) == sorted(ASSET_FILES)
    assert settings["facts"]["train_examples"] == 120 and settings["model_weight"] == 0.0
    assert settings["facts"]["model_signal"] == {"measured": "by hand"}  # kept across retraining
    assert settings["facts"]["previous_dev"] == {"ranker": 0.3}
    ranker = load_ranker(assets)
    pool = synthetic_rows(1, seed=2)[0]["pool"]
    ranked = rank(pool, 12, ranker, fake_embed)
    assert [c["number"] for c in ranked] == list(range(1, 7))
    assert ranked[0]["label"] == max(c["label"] for c in pool)  # the learned signal: most overlap, best label
    assert (data_dir / "model" / "train.jsonl").is_file()


def test_calibration_error_is_zero_when_stated_confidence_matches_the_outcomes():
    right = np.array([1, 0] * 50, dtype=float)
    assert expected_calibration_error(np.full(100, 0.5), right) == pytest.approx(0.0)
    assert expected_calibration_error(np.full(100, 0.9), right) == pytest.approx(0.4)


class OrderRanker:
    """Keeps the enrichment order: enough to build judge examples without a trained ranker."""

    from gene_r1.agent.features import NAME_COMPONENTS, NameProjection
    from gene_r1.agent.ranker import JudgeSettings

    settings = JudgeSettings()
    projection = NameProjection(np.zeros(64), np.zeros((NAME_COMPONENTS, 64)))  # fake_embed's 64 dimensions

    def scores(self, features):
        return -features[:, 0]


def test_judge_examples_answer_with_the_best_shown_candidate_and_pair_it_with_a_worse_one():
    pool = [{"name": n, "pathway_id": f"R-HSA-{i}", "source": "reactome", "kind": "enrichment",
             "overlap_genes": ["MLH1"], "pathway_size": 20, "p_value": 1e-4, "fdr": f, "enrichment_rank": i + 1,
             "label": lab} for i, (n, f, lab) in enumerate([("DNA Repair", 1e-3, 0.4), ("Mismatch repair", 1e-2, 0.9),
                                                           ("Cell cycle", 0.3, 0.1)])]
    (example,) = judge_examples([{"id": "GO:1", "source": "go_bp", "true_name": "mismatch repair",
                                  "genes": ["MLH1", "MSH2"], "pool": pool}], OrderRanker(), fake_embed, shown=8)
    assert example["completion"][0]["content"] == "Answer: 2"
    assert example["rejected"][0]["content"] in ("Answer: 1", "Answer: 3")
    assert example["choice_labels"] == [0.4, 0.9, 0.1] and example["choice_supported"] == [True, True, False]


def test_judge_rewards_pay_the_chosen_candidates_similarity_and_support_and_punish_free_text():
    completions = [[{"role": "assistant", "content": "Answer: 2"}], "3", "Answer: 2 because MLH1", "Answer: 7"]
    labels = [json.dumps([0.4, 0.9, 0.1])] * 4
    supported = [json.dumps([True, True, False])] * 4
    assert judge_choice_reward(completions, labels) == [0.9, 0.1, -1.0, -1.0]
    assert judge_verified_reward(completions, supported) == [1.0, 0.0, -1.0, -1.0]
    assert judge_choice("[2]", 3) == 2


def test_paired_bootstrap_interval_contains_the_mean_difference_and_excludes_zero_for_a_clear_gain():
    rng = random.Random(0)
    baseline = [rng.random() for _ in range(300)]
    better = [b + 0.05 + rng.gauss(0, 0.05) for b in baseline]
    mean, low, high = paired_bootstrap(better, baseline, resamples=2000)
    assert low < mean < high and low > 0
    assert paired_bootstrap(baseline, baseline, resamples=200) == (0.0, 0.0, 0.0)


@pytest.fixture(scope="module")
def judge_model_data(judge_data, tmp_path_factory):
    from gene_r1.training.data import write_jsonl

    out = tmp_path_factory.mktemp("judge-model")
    examples = judge_examples(read(judge_data / "train.jsonl"), OrderRanker(), fake_embed, shown=4)
    assert examples
    write_jsonl(out / "train.jsonl", examples)
    return out


def judge_recipe(model_dir, stage: str, **training):
    return tiny_recipe(model_dir, stage, name="tiny-judge", rewards=["judge_choice", "judge_verified"],
                       max_completion_length=4, **{"max_length": 1024, "stages": ["judge"], **training})


@pytest.mark.slow
def test_the_judge_recipes_run_sft_then_dpo_then_grpo_on_the_tiny_model(tiny_model_dir, judge_model_data, tmp_path):
    import dataclasses

    from gene_r1.training.dpo import run_dpo
    from gene_r1.training.grpo import run_grpo
    from gene_r1.training.sft import run_sft

    sft = run_sft(judge_recipe(tiny_model_dir, "sft", max_steps=1), judge_model_data, tmp_path / "sft")
    dpo = run_dpo(dataclasses.replace(judge_recipe(tiny_model_dir, "dpo"), adapter=str(sft)), judge_model_data,
                  tmp_path / "dpo")
    facts = json.loads((dpo / "training_facts.json").read_text())
    assert facts["steps"] == 2 and facts["pairs seen"] == 4 and (dpo / "adapter_model.safetensors").is_file()
    grpo = run_grpo(dataclasses.replace(judge_recipe(tiny_model_dir, "grpo", max_steps=1), adapter=str(dpo)),
                    judge_model_data, tmp_path / "grpo")
    assert json.loads((grpo / "training_facts.json").read_text())["steps"] == 1


def test_the_shipped_judge_recipes_parse():
    from gene_r1.training.recipes import load_recipe

    for name, stage in (("judge-sft", "sft"), ("judge-dpo", "dpo"), ("judge-grpo", "grpo"), ("judge-sft-gpu", "sft")):
        recipe = load_recipe(f"smollm2-135m/{name}")
        assert recipe.stage == stage and recipe.training.stages == ["judge"]


def test_go_leave_term_out_removes_the_target_and_go_terms_nearly_equal_to_the_set_only():
    from gene_r1.tools.enrichment import EnrichmentIndex
    from gene_r1.training.grounded_eval import go_leave_out_ids

    sets = {"GO:0000001": {"A", "B", "C", "D"}, "GO:0000002": {"A", "B", "C"}, "GO:0000003": {"A", "X", "Y", "Z"},
            "R-HSA-1": {"A", "B", "C", "D"}}
    index = EnrichmentIndex(sets, {k: k for k in sets},
                            {k: "go" if k.startswith("GO") else "reactome" for k in sets})
    class Kb:  # what the leave-out reads of a knowledge base (hashable, as the real one is)
        enrichment_index = index

    kb = Kb()
    # the target itself, and GO:0000002 (Jaccard 3/4); not the distant GO term, never a Reactome pathway
    assert go_leave_out_ids("GO:0000001", ["A", "B", "C", "D"], kb) == {"GO:0000001", "GO:0000002"}
    assert go_leave_out_ids("NEST:1", ["A", "B", "C", "D"], kb) == {"GO:0000001", "GO:0000002"}
