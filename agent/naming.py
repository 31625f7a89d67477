"""The naming prompt: the genes with their full names and the ranker's best candidates, for the model to write the
name in Gene-R1's format (`<think>` citing candidates by number, then `Process: <name>`).

Training (`training/naming_data.py`) and the agent build it here, so the model learns on exactly what it reads at run
time. 15 genes, not the judge's 20: each gene now carries its full name (about 8 tokens), and every prompt token is
paid for on a CPU; the pilot of issue 17 measured the model's names against the ranker's with the first 15 genes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

from gene_r1.tools.thresholds import SIGNIFICANT_FDR

if TYPE_CHECKING:
    import numpy as np

NAMING_GENES = 15
NAMING_SHOWN = 6  # the judge's shortlist: candidates [1]..[6]


def naming_shortlist(candidates: Sequence[dict]) -> list[dict]:
    """What the naming model reads of the judge: its best NAMING_SHOWN candidates, in their numbered order."""
    return sorted(candidates, key=lambda c: c["number"])[:NAMING_SHOWN]


def naming_prompt(genes: Sequence[str], shortlist: Sequence[dict], names: Mapping[str, str]) -> list[dict]:
    """The naming messages: at most NAMING_GENES symbols (those in the shown candidates first), each with its full
    name when `names` has one, and the numbered shortlist with overlaps and FDRs."""
    from gene_r1.agent.prompts import is_symbol, naming_messages

    shown = [{**c, "set_size": len(genes)} for c in shortlist]
    covered = {g for c in shortlist for g in c["overlap_genes"]}
    symbols = [g for g in genes if is_symbol(g)]
    chosen = ([g for g in symbols if g in covered] + [g for g in symbols if g not in covered])[:NAMING_GENES]
    return naming_messages(chosen, {g: names[g] for g in chosen if g in names}, shown)


# The model writes the name (`--selection model`) --------------------------------------------------------------------

NAMING_ADAPTER_DIR = Path(__file__).resolve().parents[1] / "training" / "adapters" / "smollm2-135m-gene-r1-naming"
NAMING_RULE = Path(__file__).parent / "assets" / "naming" / "rule.json"
NAMING_TOKENS = 40  # the training answers: median 27 tokens, 95th percentile 36 (benchmarks/naming_eval.py)
# The shape of a trained answer (training/naming_data.naming_answer), drafted ahead: greedy decoding checks its fixed
# tokens in one forward pass instead of writing them one by one (agent.backends.draft_decoding); same names.
ANSWER_SHAPE = "<think>\nClosest: [1].\n</think>\nProcess: "
NEVER = 1.01  # a grounding no cosine reaches: the judge's pick always


@dataclass(frozen=True)
class NamingRule:
    """Keep the model's name when its cosine to a significant candidate's name is at least `min_grounding`
    (learned on the naming dev split: `training/naming_rule.py`)."""

    min_grounding: float

    def accepts(self, model_name: str | None, grounding: float) -> bool:
        return bool(model_name) and grounding >= self.min_grounding


def load_rule(path: Path = NAMING_RULE) -> NamingRule:
    return NamingRule(float(json.loads(path.read_text(encoding="utf-8"))["min_grounding"]))


def grounding(model_to_candidates: Sequence[float], candidates: Sequence[Mapping],
              fdr_threshold: float = SIGNIFICANT_FDR) -> tuple[float, int | None]:
    """The model name's best cosine to a candidate with FDR at or below the threshold, and that candidate's
    number (0.0 and None when no candidate is significant)."""
    best, number = 0.0, None
    for cosine, candidate in zip(model_to_candidates, candidates, strict=False):
        fdr = candidate.get("fdr")
        if fdr is not None and fdr <= fdr_threshold and cosine > best:
            best, number = float(cosine), candidate.get("number")
    return best, number


class WrittenName(TypedDict):
    """What the model wrote and whether it stands: `taken` only when the rule accepts it and verification
    supports it (`verdict`: that verification, None when the rule already refused the name); `reason` says why
    not, in words."""

    name: str
    raw: str
    grounding: float
    closest_number: int | None
    taken: bool
    reason: str
    verdict: dict | None


def taken_name(judgement: Mapping) -> WrittenName | None:
    """The model's name when it is the name shown (`--selection model`, accepted and verified), else None."""
    written = judgement.get("written")
    return written if written and written["taken"] else None


def draft_names(requests: Sequence[tuple[Sequence[str], Sequence[dict], Mapping[str, str]]], model) -> list[str]:
    """The model's answers to the naming prompts of (genes, shortlist, full names) requests: one batched greedy
    generation (a batch run drafts a chunk's names at once; `write_name` then reads each draft)."""
    from gene_r1.agent.model_types import GenerationConfig

    prompts = [naming_prompt(genes, shortlist, names) for genes, shortlist, names in requests]
    config = GenerationConfig(max_new_tokens=NAMING_TOKENS, expected_shape=ANSWER_SHAPE)
    return [g.text for g in model.generate_batch(prompts, config)]


def write_name(genes: Sequence[str], shortlist: Sequence[dict], names: Mapping[str, str], model,
               embed: Callable[[list[str]], np.ndarray], rule: NamingRule,
               fdr_threshold: float = SIGNIFICANT_FDR, draft: str | None = None) -> WrittenName:
    """The model's name (its `draft` when one was written in a batch, else one greedy generation of the naming
    prompt) and its grounding in the shortlist's significant names."""
    from gene_r1.agent.parsing import parse_answer

    text = draft if draft is not None else draft_names([(genes, shortlist, names)], model)[0]
    name = (parse_answer(text).name or "").strip()
    if not name:
        return WrittenName(name="", raw=text, grounding=0.0, closest_number=None, taken=False,
                           reason="the model wrote no readable Process: line", verdict=None)
    vectors = embed([name, *(c["name"] for c in shortlist)])
    cosines = [float(vectors[0] @ v) for v in vectors[1:]]
    best, number = grounding(cosines, shortlist, fdr_threshold)
    taken = rule.accepts(name, best)
    if taken:
        reason = ""
    elif rule.min_grounding >= NEVER:
        reason = ("the naming rule learned on dev keeps the judge's pick (on dev the model's names did not beat it; "
                  "docs/naming.md)")
    elif number is None:
        reason = "no shown candidate is significant"
    else:
        reason = (f"its closest significant candidate is [{number}] at name similarity {best:.2f}, below the "
                  f"{rule.min_grounding:.2f} the naming rule asks")
    return WrittenName(name=name, raw=text, grounding=round(best, 3), closest_number=number, taken=taken,
                       reason=reason, verdict=None)
