"""Fitting the analyst judge: metrics that mean what they say, a threshold that respects its ceiling, and the noise
protocol's three versions."""

from __future__ import annotations

import random

import numpy as np
import pytest

from gene_r1.agent.coherence import CoherenceModel
from gene_r1.training.analyst_train import (
    MAX_REAL_CALLED_NONE,
    auroc,
    choose_none_threshold,
    fit_coherence,
    headline_of,
    reliability,
)
from gene_r1.training.noise_protocol import versions


def test_auroc_is_the_chance_a_positive_outscores_a_negative():
    assert auroc(np.array([3.0, 4.0]), np.array([1.0, 2.0])) == 1.0
    assert auroc(np.array([1.0]), np.array([2.0])) == 0.0
    assert auroc(np.array([1.0, 3.0]), np.array([2.0, 2.0])) == 0.5
    assert auroc(np.array([2.0]), np.array([2.0])) == 0.5


def test_reliability_of_perfectly_calibrated_bins_is_zero_and_of_overconfidence_is_the_gap():
    probabilities = np.array([0.05] * 20 + [0.95] * 20)
    outcomes = np.array([1.0] + [0.0] * 19 + [1.0] * 19 + [0.0])
    ece, table = reliability(probabilities, outcomes)
    assert ece == pytest.approx(0.0)
    assert [row["n"] for row in table] == [20, 20]
    ece, _ = reliability(np.full(10, 0.9), np.zeros(10))
    assert ece == pytest.approx(0.9)


def test_the_none_threshold_calls_at_most_the_ceiling_of_real_sets():
    rng = np.random.default_rng(0)
    p_random = np.concatenate([rng.uniform(0, 0.6, 200), rng.uniform(0.3, 1.0, 200)])
    y = np.array([0] * 200 + [2] * 200)
    threshold = choose_none_threshold(p_random, y)
    assert (p_random[y == 0] >= threshold).mean() <= MAX_REAL_CALLED_NONE
    assert (p_random[y == 2] >= threshold).mean() > 0.3


def synthetic_record(version: str, i: int, rng: random.Random) -> dict:
    strength = {"real": 12.0, "half": 6.0, "random": 2.0}[version] + rng.gauss(0, 1.5)
    share = {"real": 0.9, "half": 0.5, "random": 0.15}[version] + rng.gauss(0, 0.05)
    return {"id": f"T{i}", "version": version, "tested": 20,
            "stats": {"best_log_p": max(strength, 0.0), "explained_fraction": min(max(share, 0), 1),
                      "connected_fraction": min(max(share, 0), 1)},
            "null_reached": 0 if version == "real" else 300, "null_draws": 1000,
            "null_moments": {"best_log_p": (2.0, 1.0), "explained_fraction": (0.1, 0.1),
                             "connected_fraction": (0.2, 0.1)},
            "groups": [{"genes": ["G"] * max(1, round(20 * share)), "best_fdr": 10 ** -strength}],
            "candidates": []}


def test_fitted_coherence_separates_what_differs_and_serialises():
    rng = random.Random(1)
    records = [synthetic_record(v, i, rng) for i in range(120) for v in ("real", "half", "random")]
    model, facts = fit_coherence(records)
    summary = facts["dev_cross_validated"]
    assert summary["auroc_real_vs_random"] > 0.95
    assert summary["none_share"]["real"] <= MAX_REAL_CALLED_NONE
    again = CoherenceModel.from_json(model.to_json())
    x = np.ones_like(model.mean)
    assert again.probabilities(x) == pytest.approx(model.probabilities(x))


def test_the_headline_of_a_record_follows_the_rule():
    record = {"tested": 10, "groups": [{"pathway_ids": ["A", "B"], "overlaps": [6, 2], "genes": ["G"] * 6}],
              "candidates": [
                  {"number": 1, "pathway_id": "S", "name": "search only", "overlap_genes": ["a"], "fdr": None,
                   "pathway_size": 5, "label": 0.9},
                  {"number": 2, "pathway_id": "B", "name": "thin", "overlap_genes": ["a", "b"], "fdr": 0.01,
                   "pathway_size": 40, "label": 0.8},
                  {"number": 3, "pathway_id": "A", "name": "strong", "overlap_genes": list("abcdef"), "fdr": 1e-6,
                   "pathway_size": 40, "label": 0.4}]}
    assert headline_of(record, 0.5, None)["name"] == "strong"
    assert headline_of(record, 0.0, None)["name"] == "thin"


def test_protocol_versions_keep_the_size_and_replace_half_with_background_genes():
    genes = [f"M{i}" for i in range(10)]
    background = [f"B{i}" for i in range(100)] + genes
    real, half, random_set = versions("GO:1", "a process", genes, "BP", background, seed=3)
    assert real.genes == tuple(genes)
    assert len(half.genes) == len(random_set.genes) == 10
    assert sum(g in genes for g in half.genes) == 5
    assert set(half.genes) - set(genes) <= set(background)
    assert versions("GO:1", "a process", genes, "BP", background, seed=3)[1] == half
