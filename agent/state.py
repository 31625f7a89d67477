"""The agent's state: everything a node reads or writes is a field here.

Values are plain JSON-serialisable TypedDicts, so a state can be checkpointed (chat threads) and written to
results.jsonl (batch) as it is.
"""

from __future__ import annotations

import operator
from typing import Annotated, Literal, TypedDict

Verdict = Literal["supported", "partly supported", "not supported"]
CoherenceVerdict = Literal["coherent", "partly coherent", "no coherent function"]
NO_COHERENT_FUNCTION = "No coherent function"


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


class Theme(TypedDict):
    """A group of significant pathways that share genes of the set (clustered by gene overlap), named by the
    grounded judge among its own pathways. `number` is 1-based, strongest first; theme 1 is the set's headline."""

    number: int
    name: str  # the chosen pathway's name (quoted from the knowledge base)
    pathway_id: str  # the chosen pathway
    genes: list[str]  # genes of the set that the theme's pathways cover, in input order
    pathway_ids: list[str]  # every evidence pathway in the theme, strongest first
    best_fdr: float  # the theme's strongest enrichment FDR
    name_confidence: float  # calibrated chance that `name` is right for these genes (dev split)
    weak: bool  # True when the set as a whole has no coherent function: shown, but not a claim


class Coherence(TypedDict):
    """Does the set share a function at all? Computed from the evidence and an empirical null of random sets of
    the same size from the same background; both probabilities calibrated on the dev protocol."""

    verdict: CoherenceVerdict
    coherence: float  # calibrated probability that the set as a whole shares a specific function
    name_confidence: float  # calibrated probability that the headline name is right (0 when no coherent function)
    set_size: int  # genes tested (inside the background)
    covered_genes: int  # genes the headline theme covers
    explained_genes: int  # genes any theme covers
    null_set_size: int  # the null's set size nearest the set's (random sets of about this many genes)
    null_draws: int  # random sets of that size drawn for the null
    null_reached: int  # how many of them reached the set's strongest enrichment
    summary: str  # one sentence, rendered by code, every number quoted from the fields above
    reasons: list[str]  # the evidence behind the verdict, in words


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
    coherence: Coherence | None
    themes: list[Theme]


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
    # the naming model's answer, drafted for a whole chunk in one batched call (batch runs, `--selection model`)
    naming_draft: str
    # judge like an analyst: does the set share a function, and which themes does it hold
    coherence: Coherence
    themes: list[Theme]
    # legacy free-text proposals (kept empty by the judge; old results files carry them)
    proposals: Annotated[list[Proposal], operator.add]
    # verify: verdicts on the final name and on the claims of the shown reasoning
    verdicts: list[ClaimVerdict]
    tool_calls: int
    # report
    report: Report
    error: str
    timings: Annotated[dict[str, float], merge_timings]
