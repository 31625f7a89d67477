"""Choosing the final name among the model's proposals and the top evidence names.

A measured pilot found the best of the top-5 evidence names beats a fine-tuned 135M model's own names out of
distribution, while no simple re-ranking rule (Jaccard, precision, odds ratio) beat the top hit by p-value. The
"consensus" rule scores each candidate by its mean similarity to the significant evidence names, weighted by
sqrt(-log10 FDR): a name that summarises several strong hits beats one that matches a single hit, and the model's
proposal wins only when it is supported and at least as central to the evidence as the best evidence name.

Chosen on a development set of 200 GO:BP terms outside every benchmark and reserved id (seed 7; evidence only, no
model): mean MiniLM similarity to the true name 0.332 for the top hit by p-value, 0.355 for the consensus of the top
3 names against the top 20 significant pathways with sqrt weights (27 settings tried; `benchmarks/selection_dev.py`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from agent.state import ClaimVerdict, EvidenceRow, Proposal

MAX_WEIGHT = 20.0


@dataclass(frozen=True)
class Candidate:
    name: str
    origin: str  # model | evidence
    verdict: str  # supported | partly supported | not supported
    fdr: float | None  # of the best pathway supporting it
    confidence: float | None
    proposal_round: int | None = None


@dataclass(frozen=True)
class Choice:
    candidate: Candidate | None
    scores: dict[str, float]
    explanation: str


def evidence_weight(row: EvidenceRow) -> float:
    return math.sqrt(min(-math.log10(max(row["fdr"], 1e-300)), MAX_WEIGHT)) if row["fdr"] is not None else 0.0


def gather_candidates(
    proposals: Sequence[Proposal],
    verdicts: dict[str, ClaimVerdict],
    significant: Sequence[EvidenceRow],
    k: int,
) -> list[Candidate]:
    candidates: dict[str, Candidate] = {}
    for proposal in proposals:
        if proposal["origin"] != "model" or not proposal["name"]:
            continue
        verdict = verdicts.get(proposal["name"])
        fdrs = [r["fdr"] for r in verdict["supporting_pathways"] if r["fdr"] is not None] if verdict else []
        candidates.setdefault(
            proposal["name"].lower(),
            Candidate(
                name=proposal["name"],
                origin="model",
                verdict=verdict["verdict"] if verdict else "not supported",
                fdr=min(fdrs) if fdrs else None,
                confidence=proposal["confidence"],
                proposal_round=proposal["round"],
            ),
        )
    for row in significant[:k]:
        candidates.setdefault(
            row["name"].lower(),
            Candidate(name=row["name"], origin="evidence", verdict="supported", fdr=row["fdr"], confidence=None),
        )
    return list(candidates.values())


def consensus_scores(
    candidates: Sequence[Candidate],
    significant: Sequence[EvidenceRow],
    embed: Callable[[list[str]], np.ndarray],
) -> np.ndarray:
    weights = np.array([evidence_weight(row) for row in significant])
    vectors = embed([c.name for c in candidates] + [row["name"] for row in significant])
    similarity = vectors[: len(candidates)] @ vectors[len(candidates) :].T
    if weights.sum() <= 0:
        weights = np.ones(len(significant))
    return similarity @ weights / weights.sum()


def choose(
    candidates: Sequence[Candidate],
    significant: Sequence[EvidenceRow],
    rule: str,
    embed: Callable[[list[str]], np.ndarray],
) -> Choice:
    if not candidates:
        return Choice(None, {}, "Neither the model nor the evidence offered a name.")
    eligible = [c for c in candidates if c.verdict != "not supported"] or list(candidates)
    model_names = [c for c in eligible if c.origin == "model"]
    evidence_names = [c for c in eligible if c.origin == "evidence"]
    if rule == "model" and model_names:
        return Choice(model_names[-1], {}, "The model's latest supported proposal (selection rule 'model').")
    if rule == "top_evidence" and evidence_names:
        return Choice(evidence_names[0], {}, "The most significant evidence pathway (selection rule 'top_evidence').")
    if not significant:
        pick = model_names[-1] if model_names else eligible[0]
        return Choice(pick, {}, "No pathway is significantly enriched; the name rests on the model alone.")
    scores = consensus_scores(eligible, significant, embed)
    best = int(np.argmax(scores))
    table = {c.name: round(float(s), 4) for c, s in zip(eligible, scores, strict=True)}
    pick = eligible[best]
    runner_up = max((c for c in eligible if c.origin != pick.origin), key=lambda c: table[c.name], default=None)
    explanation = (
        f"'{pick.name}' ({'the model' if pick.origin == 'model' else 'an evidence pathway'}) is the candidate "
        f"most consistent with the significant pathways (weighted similarity {table[pick.name]:.2f}"
        + (f" vs {table[runner_up.name]:.2f} for '{runner_up.name}')." if runner_up else ").")
    )
    return Choice(pick, table, explanation)


def confidence_for(choice: Choice, agreement: float) -> tuple[float, str]:
    """The model's confidence adjusted by verification; for an evidence name, the evidence strength."""
    candidate = choice.candidate
    if candidate is None:
        return 0.0, "No name could be supported."
    strength = (
        0.5 + min(-math.log10(max(candidate.fdr, 1e-300)), MAX_WEIGHT) / (2 * MAX_WEIGHT) if candidate.fdr else 0.3
    )
    if candidate.origin == "model":
        stated = candidate.confidence if candidate.confidence is not None else 0.5
        support = {"supported": strength, "partly supported": 0.3}.get(candidate.verdict, 0.1)
        value = 0.5 * stated + 0.5 * support
        why = (
            f"Model's stated confidence {stated:.2f} averaged with verification support {support:.2f} "
            f"({candidate.verdict})."
        )
    else:
        value = 0.9 * strength + (0.1 if agreement >= 0.6 else 0.0)
        why = f"Evidence strength {strength:.2f} (FDR {candidate.fdr:.2g})" + (
            "; the model's own proposal agrees." if agreement >= 0.6 else "; the model's proposal differs."
        )
    return round(min(max(value, 0.0), 1.0), 3), why
