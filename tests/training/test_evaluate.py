"""The evaluation harness: systems, metrics, resumable runs and the `gene-r1 eval` command."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from gene_r1.training.benchmarks import GeneSetCase, load_benchmark
from gene_r1.training.cli import gene_r1_app
from gene_r1.training.evaluate import (
    PercentileReference,
    Prediction,
    markdown_table,
    model_system,
    run_benchmark,
    score,
    select_cases,
)
from gene_r1.training.grounded_eval import paired_bootstrap_mean
from gene_r1.training.run_eval import MEAN, paired_comparisons
from gene_r1.training.similarity import Encoder

app = gene_r1_app()
CASES = [GeneSetCase("S1", "DNA mismatch repair", ("MLH1", "MSH2", "MSH6", "PMS2"), "test"),
         GeneSetCase("S2", "glycolysis", ("HK1", "PFKM", "PKM", "ENO1", "GAPDH"), "test")]


def test_run_benchmark_resumes_without_predicting_finished_sets(tmp_path):
    calls: list[str] = []

    def echo_system(cases):
        calls.extend(c.id for c in cases)
        return [Prediction(name=c.name) for c in cases]

    results = tmp_path / "echo" / "test.jsonl"
    run_benchmark("echo", echo_system, CASES[:1], results)
    records = run_benchmark("echo", echo_system, CASES, results)
    assert calls == ["S1", "S2"]
    assert [r["id"] for r in records] == ["S1", "S2"] and records[1]["predicted"] == "glycolysis"


def test_scores_are_perfect_for_the_true_names_and_lower_for_swapped_ones():
    encoder = Encoder()
    truth = [{"predicted": c.name, "true_name": c.name, "followed_format": True, "seconds": 0.1} for c in CASES]
    swapped = [dict(r, predicted=CASES[1 - i].name) for i, r in enumerate(truth)]
    perfect, wrong = score("x", "test", truth, encoder, None), score("x", "test", swapped, encoder, None)
    assert perfect.cosine == pytest.approx(1.0, abs=1e-5) and perfect.rouge_l == 1.0
    assert wrong.cosine < 0.5 and wrong.rouge_l == 0.0


def test_percentile_ranks_the_prediction_among_reference_names(tmp_path):
    encoder = Encoder()
    reference = PercentileReference(["glycolysis", "DNA repair", "mismatch repair", "translation"], encoder,
                                    tmp_path / "ref.npz")
    # a perfect prediction beats every other reference name; similarity 0 beats none
    assert reference.percentiles([1.01, -1.0], ["mismatch repair", "mismatch repair"]) == [1.0, 0.0]
    cached = PercentileReference(["glycolysis", "DNA repair", "mismatch repair", "translation"], encoder,
                                 tmp_path / "ref.npz")
    assert np.allclose(cached.vectors, reference.vectors)


def test_limit_takes_a_seeded_sample_in_file_order(shared_data):
    cases = load_benchmark(shared_data, "MsigDB")
    first, again = select_cases(cases, 10, seed=3), select_cases(cases, 10, seed=3)
    assert first == again and len(first) == 10
    assert [cases.index(c) for c in first] == sorted(cases.index(c) for c in first)
    assert select_cases(cases, None, seed=3) == cases
    assert set(select_cases(cases, 5, seed=3)) <= set(first)  # nested, so cached results are reused


def test_model_system_parses_the_models_answers(tiny_model_dir):
    from gene_r1.agent.model import ModelConfig, load_model

    model = load_model(ModelConfig(model=str(tiny_model_dir), adapter="none", device="cpu"))
    predictions = model_system(model, max_new_tokens=8)(CASES)
    assert len(predictions) == 2 and all(p.raw and p.seconds > 0 for p in predictions)
    assert not any(p.followed_format for p in predictions)  # a random model does not follow the format


def test_markdown_table_has_one_row_per_score():
    s = score("enrichment", "test", [{"predicted": "a", "true_name": "a", "followed_format": True,
                                      "seconds": 0.0}], Encoder(), None)
    table = markdown_table([s, s])
    assert table.count("| enrichment | test | 1 |") == 2


def test_eval_command_compares_systems_through_the_same_evidence_with_a_bootstrap_interval(
        shared_data, built_kb_home, tmp_path):
    result = CliRunner().invoke(app, ["eval", "--systems", "enrichment,ranker,oracle5", "--benchmarks",
                                      "NeST,MsigDB", "--limit", "6", "--source-dir", str(shared_data), "--home",
                                      str(built_kb_home), "--out", str(tmp_path), "--no-percentile", "--json",
                                      "--versus", "ranker"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload["mean_cosine"]["ranker"]) == {"NeST", "MsigDB"}
    assert all(s["n"] == 6 for s in payload["scores"])
    comparisons = {(c["system"], c["baseline"], c["benchmark"]): c for c in payload["comparisons"]}
    oracle = comparisons[("oracle5", "enrichment", "NeST")]
    assert oracle["low"] <= oracle["delta"] <= oracle["high"] and oracle["delta"] >= 0
    assert {("oracle5", "ranker", "NeST"), ("oracle5", "ranker", MEAN), ("enrichment", "ranker", MEAN)} <= set(
        comparisons)
    assert ("ranker", "ranker", "NeST") not in comparisons
    assert len(set(payload["cache_keys"].values())) == 3


def test_every_system_is_compared_with_every_baseline_per_benchmark_and_on_the_mean_of_benchmarks():
    cosines = {"BP": {"enrichment": [0.2, 0.3, 0.4, 0.5], "judge": [0.3, 0.4, 0.5, 0.6], "model": [0.5] * 4},
               "NeST": {"enrichment": [0.4, 0.4], "judge": [0.4, 0.4], "model": [0.3, 0.3]},
               "dev": {"enrichment": [0.0], "judge": [1.0], "model": [1.0]}}

    comparisons = {(c.system, c.baseline, c.benchmark): c for c in paired_comparisons(cosines, ["enrichment", "judge"])}

    assert set(comparisons) == {(s, b, bench) for s, b in [("judge", "enrichment"), ("model", "enrichment"),
                                                           ("model", "judge"), ("enrichment", "judge")]
                                for bench in ("BP", "NeST", "dev", MEAN)}
    # each benchmark weighs the same on the mean, whatever its size, and dev is not one of them
    assert comparisons[("model", "judge", MEAN)].delta == pytest.approx(((0.5 - 0.45) + (0.3 - 0.4)) / 2)
    assert comparisons[("judge", "enrichment", "BP")].delta == pytest.approx(0.1)


def test_the_interval_on_the_mean_of_benchmarks_excludes_zero_only_for_a_gain_on_them_all():
    rng = np.random.default_rng(0)
    baseline = [rng.uniform(0.2, 0.5, size=n) for n in (300, 50)]
    gain = [(b + 0.05 + rng.normal(0, 0.02, size=len(b)), b) for b in baseline]
    mixed = [(baseline[0] + 0.05 + rng.normal(0, 0.05, size=300), baseline[0]),
             (baseline[1] - 0.05 + rng.normal(0, 0.05, size=50), baseline[1])]

    delta, low, high = paired_bootstrap_mean(gain, resamples=2000)
    assert 0 < low <= delta <= high
    delta, low, high = paired_bootstrap_mean(mixed, resamples=2000)
    assert abs(delta) < 0.02 and low < 0 < high


def test_eval_compares_only_with_systems_that_run(shared_data):
    result = CliRunner().invoke(app, ["eval", "--systems", "enrichment", "--versus", "judge", "--source-dir",
                                      str(shared_data)])
    assert result.exit_code == 1
    assert "--versus" in result.output and "Traceback" not in result.output


def test_eval_results_are_reused_only_under_the_same_cache_key(shared_data, built_kb_home, tmp_path):
    args = ["eval", "--systems", "ranker", "--benchmarks", "NeST", "--limit", "3", "--source-dir", str(shared_data),
            "--home", str(built_kb_home), "--out", str(tmp_path), "--no-percentile", "--json"]
    first = json.loads(CliRunner().invoke(app, args).stdout)["cache_keys"]["ranker"]
    assert json.loads(CliRunner().invoke(app, args).stdout)["cache_keys"]["ranker"] == first
    assert len(list((tmp_path / first).glob("*.jsonl"))) == 1


def test_eval_command_rejects_unknown_systems_without_a_traceback(shared_data):
    result = CliRunner().invoke(app, ["eval", "--systems", "oracle", "--source-dir", str(shared_data)])
    assert result.exit_code == 1
    assert "Unknown system" in result.output and "Traceback" not in result.output
