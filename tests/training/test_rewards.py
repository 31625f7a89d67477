"""Reward functions, checked on literal completions."""

from __future__ import annotations

import json

import pytest

from gene_r1.training.rewards import (
    REWARDS,
    completion_text,
    format_reward,
    get_rewards,
    name_similarity_reward,
    process_reward,
    reference_reward,
    rouge_l_reward,
    think_reward,
    verification_reward,
)

GOOD = ("<think>\n[1] Mitotic Prometaphase: 6 of 8 genes, FDR 1e-09.\n</think>\n"
        "Process: mitotic cell cycle\nConfidence: 0.90")
NO_THINK = "Process: mitotic cell cycle\nConfidence: 0.9"
RAMBLING = "CDK1 CDK1 CDK1 protein synthesis protein synthesis"


def test_think_reward_needs_a_closed_think_block():
    assert think_reward([GOOD, NO_THINK, "<think> never closed"]) == [1.0, 0.0, 0.0]


def test_process_reward_needs_a_readable_name():
    assert process_reward([GOOD, NO_THINK, RAMBLING, "Process: <name>"]) == [1.0, 1.0, 0.0, 0.0]


def test_format_reward_is_the_parsers_flag():
    assert format_reward([GOOD, NO_THINK, RAMBLING]) == [1.0, 0.0, 0.0]


def test_rewards_read_trl_conversational_completions():
    conversational = [[{"role": "assistant", "content": GOOD}]]
    assert completion_text(conversational[0]) == GOOD
    assert think_reward(conversational) == [1.0]


def test_rouge_l_reward_scores_the_extracted_name_only():
    scores = rouge_l_reward([GOOD, RAMBLING], target=["mitotic cell cycle", "mitotic cell cycle"])
    assert scores == [1.0, 0.0]


def test_name_similarity_prefers_the_right_process():
    close, far, missing = name_similarity_reward(
        ["Process: mitotic cell cycle", "Process: fatty acid beta-oxidation", RAMBLING],
        target=["cell cycle mitosis"] * 3)
    assert close > 0.7 > far
    assert missing == 0.0


def test_verification_rewards_names_the_significant_evidence_supports():
    evidence = json.dumps([{"name": "Mitotic Prometaphase", "fdr": 1e-9},
                           {"name": "Fatty acid metabolism", "fdr": 0.6}])
    supported, unsupported = verification_reward(
        ["Process: mitotic prometaphase", "Process: fatty acid metabolism"], evidence=[evidence, evidence])
    assert supported > 0.9
    assert unsupported < supported  # the fatty-acid pathway is not significant, so it cannot support
    assert verification_reward(["Process: anything"], evidence=["[]"]) == [0.0]


def test_reference_reward_adds_think_process_rouge_and_twice_the_cosine():
    total = reference_reward([GOOD], target=["mitotic cell cycle"])[0]
    assert total == pytest.approx(1 + 1 + 1 + 2 * 1.0, abs=1e-4)


def test_registry_resolves_recipe_names_and_rejects_unknown_ones():
    assert get_rewards(["format", "verification"]) == [REWARDS["format"], REWARDS["verification"]]
    with pytest.raises(ValueError, match="Unknown reward"):
        get_rewards(["format", "accuracy"])
