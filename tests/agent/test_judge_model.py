"""The model's vote: one forward pass gives a log-probability for every candidate number (tiny real model)."""

from __future__ import annotations

import math

import pytest

from gene_r1.agent.judge import judge_many, judge_prompt, model_votes
from gene_r1.agent.ranker import JudgeSettings
from tests.agent.test_judge import ranked_candidates

GENES = ["MLH1", "MSH2", "MSH6", "PMS2"]


@pytest.fixture(scope="module")
def tiny_model(tiny_model_dir):
    from gene_r1.agent.model import ModelConfig, load_model

    return load_model(ModelConfig(model=str(tiny_model_dir), adapter="none", device="cpu"))


def test_every_shown_number_gets_a_finite_log_probability(tiny_model):
    (votes,) = model_votes(tiny_model, [judge_prompt(GENES, ranked_candidates())], [3])
    assert len(votes) == 3 and all(math.isfinite(v) and v <= 0 for v in votes)
    assert len(set(votes)) > 1  # the numbers are told apart


def test_a_padded_prompt_in_a_batch_scores_as_it_does_alone(tiny_model):
    short = judge_prompt(GENES[:1], ranked_candidates()[:2])
    long = judge_prompt(GENES + [f"GENE{i}" for i in range(15)], ranked_candidates())
    alone = model_votes(tiny_model, [short], [2])[0]
    batched = model_votes(tiny_model, [long, short], [3, 2])[1]
    assert batched == pytest.approx(alone, abs=1e-4)


def test_the_number_options_share_the_space_token_and_differ_by_the_digit(tiny_model):
    shared, ids = tiny_model._option_tokens("Answer:", [f" {n}" for n in range(1, 7)])
    assert shared == "Answer: " and len(set(ids)) == 6


def test_a_weighted_vote_is_recorded_as_the_judges_method(tiny_model):
    (judgement,) = judge_many([(GENES, ranked_candidates())], JudgeSettings(model_weight=0.5), tiny_model)
    assert judgement.method == "ranker+model" and judgement.model_seconds > 0
    (unweighted,) = judge_many([(GENES, ranked_candidates())], JudgeSettings(model_weight=0.0), tiny_model)
    assert unweighted.method == "ranker"
