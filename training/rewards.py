"""Pure reward functions `(completions, **kwargs) -> list[float]` for GRPO, and the registry recipes name them by.

`completions` are strings or TRL's conversational form `[[{"role": "assistant", "content": ...}]]`; dataset columns
arrive as keyword lists (`target`: the true name; `evidence`: the leakage-free evidence items, as JSON text).

Reference recipe (the Gene-R1 authors'): think (+1), process (+1), rouge_l, 2 x cosine (`reference_rewards`).
Ours: format (the parser's `followed_format`), name_similarity (cosine to the true name) and verification (the
proposed name is supported by the evidence, which excludes the target set: similarity to the best evidence name).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from gene_r1.tools.thresholds import SIGNIFICANT_FDR
from gene_r1.training.similarity import get_encoder, rouge_l

RewardFunction = Callable[..., list[float]]
_THINK_BLOCK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)


def completion_text(completion: Any) -> str:
    if isinstance(completion, str):
        return completion
    if isinstance(completion, list) and completion and isinstance(completion[-1], dict):
        return str(completion[-1].get("content", ""))
    return ""


def _parse(completions: Sequence[Any]):
    from gene_r1.agent.parsing import parse_answer

    return [parse_answer(completion_text(c)) for c in completions]


def think_reward(completions: Sequence[Any], **kwargs) -> list[float]:
    """+1 when a closed `<think>...</think>` block is present (the authors' first term)."""
    return [1.0 if _THINK_BLOCK.search(completion_text(c)) else 0.0 for c in completions]


def process_reward(completions: Sequence[Any], **kwargs) -> list[float]:
    """+1 when a non-empty `Process:` name can be read (the authors' second term)."""
    return [1.0 if parsed.name else 0.0 for parsed in _parse(completions)]


def format_reward(completions: Sequence[Any], **kwargs) -> list[float]:
    """+1 when the answer follows our format exactly (think block, Process and a 0-1 Confidence)."""
    return [1.0 if parsed.followed_format else 0.0 for parsed in _parse(completions)]


def rouge_l_reward(completions: Sequence[Any], target: Sequence[str], **kwargs) -> list[float]:
    """ROUGE-L F1 of the proposed name against the true name; 0 without a name."""
    return [rouge_l(parsed.name or "", truth) for parsed, truth in zip(_parse(completions), target, strict=True)]


def name_similarity_reward(completions: Sequence[Any], target: Sequence[str], **kwargs) -> list[float]:
    """Cosine (offline MiniLM) of the proposed name with the true name; 0 without a name."""
    names = [parsed.name or "" for parsed in _parse(completions)]
    return get_encoder().cosine_pairs(names, list(target))


def verification_reward(completions: Sequence[Any], evidence: Sequence[str | list], **kwargs) -> list[float]:
    """Support of the proposed name by the evidence: its cosine to the closest enriched pathway name (FDR <= 0.05).

    The evidence excludes the target set and its exact copies, so this rewards names the data can back up, not
    the answer itself. 0 without a name or without significant evidence.
    """
    scores = []
    encoder = get_encoder()
    for parsed, items in zip(_parse(completions), evidence, strict=True):
        items = json.loads(items) if isinstance(items, str) else items
        names = [i["name"] for i in items if i.get("fdr") is not None and i["fdr"] <= SIGNIFICANT_FDR]
        if not parsed.name or not names:
            scores.append(0.0)
            continue
        scores.append(max(encoder.cosine_pairs([parsed.name] * len(names), names)))
    return scores


_JUDGE_ANSWER = re.compile(r"^\s*(?:Answer:\s*)?\[?(\d{1,2})\]?\s*$", re.IGNORECASE)


def judge_choice(completion: Any, shown: int) -> int | None:
    """The candidate number a judge completion names (1..shown), or None when it names none or adds words."""
    match = _JUDGE_ANSWER.match(completion_text(completion))
    if not match or not 1 <= int(match.group(1)) <= shown:
        return None
    return int(match.group(1))


def _as_list(value: Any) -> list:
    return json.loads(value) if isinstance(value, str) else list(value)


def judge_choice_reward(completions: Sequence[Any], choice_labels: Sequence[Any], **kwargs) -> list[float]:
    """The chosen candidate's cosine to the true name; -1 for an answer that is not one shown number."""
    scores = []
    for completion, labels in zip(completions, choice_labels, strict=True):
        labels = _as_list(labels)
        number = judge_choice(completion, len(labels))
        scores.append(-1.0 if number is None else float(labels[number - 1]))
    return scores


def judge_verified_reward(completions: Sequence[Any], choice_supported: Sequence[Any], **kwargs) -> list[float]:
    """Verification: +1 when the chosen name is supported by the knowledge base (an enriched pathway at FDR <=
    0.05 containing the genes), 0 when not; -1 for an answer that is not one shown number (nothing invented)."""
    scores = []
    for completion, supported in zip(completions, choice_supported, strict=True):
        supported = _as_list(supported)
        number = judge_choice(completion, len(supported))
        scores.append(-1.0 if number is None else float(bool(supported[number - 1])))
    return scores


REWARDS: dict[str, RewardFunction] = {
    "think": think_reward,
    "process": process_reward,
    "format": format_reward,
    "rouge_l": rouge_l_reward,
    "name_similarity": name_similarity_reward,
    "verification": verification_reward,
    "judge_choice": judge_choice_reward,
    "judge_verified": judge_verified_reward,
}

# The authors' reward: think + process + ROUGE-L + 2 x cosine.
REFERENCE_REWARDS = ("think", "process", "rouge_l", "name_similarity")
REFERENCE_WEIGHTS = (1.0, 1.0, 1.0, 2.0)


def get_rewards(names: Sequence[str]) -> list[RewardFunction]:
    unknown = [n for n in names if n not in REWARDS]
    if unknown:
        raise ValueError(f"Unknown reward(s) {unknown}; choose from {', '.join(REWARDS)}.")
    return [REWARDS[n] for n in names]


def reference_reward(completions: Sequence[Any], target: Sequence[str], **kwargs) -> list[float]:
    """The authors' total reward in one function (for reports; GRPO sums the weighted terms itself)."""
    terms = [REWARDS[n](completions, target=target, **kwargs) for n in REFERENCE_REWARDS]
    return [sum(w * t[i] for w, t in zip(REFERENCE_WEIGHTS, terms, strict=True)) for i in range(len(completions))]
