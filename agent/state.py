"""The agent's state: everything a node reads or writes is a field here.

Values are plain JSON-serialisable TypedDicts, so a state can be checkpointed (chat threads) and written to
results.jsonl (batch) as it is.
"""

from __future__ import annotations

import operator
from typing import Annotated, Literal, TypedDict

Verdict = Literal["supported", "partly supported", "not supported"]


class EvidenceRow(TypedDict):
    """One pathway as evidence: an enrichment hit or a semantic-search hit (then p/FDR may be None)."""

    pathway_id: str
    source: str
    name: str
    overlap_genes: list[str]
    pathway_size: int
    p_value: float | None
    fdr: float | None
    odds_ratio: float | None
    kind: Literal["enrichment", "search"]


class Proposal(TypedDict):
    """A candidate name: proposed by the model (round 0, revisions 1..n) or taken from the evidence."""

    name: str
    origin: Literal["model", "evidence"]
    round: int
    confidence: float | None
    reasoning: str
    followed_format: bool
    raw: str


class ClaimVerdict(TypedDict):
    """A checkable claim and what the knowledge base says about it."""

    claim: str
    kind: Literal["name", "genes", "mentioned_genes", "evidence"]
    about: str
    verdict: Verdict
    explanation: str
    supporting_pathways: list[EvidenceRow]
    supporting_genes: list[str]
    unsupported_genes: list[str]


class Report(TypedDict):
    """What a user reads. Every number, gene and id in it is quoted by code from the evidence; the model only
    chooses among numbered candidates (and, on request, explains by citing their numbers)."""

    name: str
    confidence: float
    confidence_explanation: str
    chosen_from: Literal["model", "evidence", "none"]
    choice_explanation: str
    reasoning: str
    evidence: list[EvidenceRow]
    verdicts: list[ClaimVerdict]
    unexplained_genes: list[str]
    candidates: list[dict]
    chosen_number: int | None
    judge_method: str
    explanation: str


def merge_timings(left: dict[str, float], right: dict[str, float]) -> dict[str, float]:
    merged = dict(left)
    for key, seconds in right.items():
        merged[key] = merged.get(key, 0.0) + seconds
    return merged


class AgentState(TypedDict, total=False):
    # input
    input_genes: list[str]
    # normalise
    genes: list[str]
    mapped: list[dict]
    ambiguous: list[dict]
    unknown_genes: list[str]
    duplicates: list[str]
    # gather evidence
    evidence: list[EvidenceRow]
    search_hits: list[EvidenceRow]
    # judge: the grounded candidates, ranked and numbered, and the choice among them
    candidates: list[dict]
    judgement: dict
    explanation: str
    # legacy free-text proposals (kept empty by the judge; old results files carry them)
    proposals: Annotated[list[Proposal], operator.add]
    # verify: verdicts on the final name and on the claims of the shown reasoning
    verdicts: list[ClaimVerdict]
    tool_calls: int
    # report
    report: Report
    error: str
    timings: Annotated[dict[str, float], merge_timings]
