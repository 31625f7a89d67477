"""The Python API: `analyze` one gene set, `verify` a claim about one. The CLI, batch runs and the web app
all go through these functions."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from gene_r1.agent.config import AgentConfig
from gene_r1.agent.context import AgentContext
from gene_r1.agent.state import AgentState, ClaimVerdict, EvidenceRow

_contexts: dict[AgentConfig, AgentContext] = {}
_contexts_lock = threading.Lock()


class InputError(ValueError):
    """Input the agent cannot analyse (no genes, no known genes, an empty claim)."""


@dataclass
class Analysis:
    input_genes: list[str]
    genes: list[str]
    name: str
    confidence: float
    confidence_explanation: str
    chosen_from: str
    choice_explanation: str
    reasoning: str
    evidence: list[EvidenceRow]
    verdicts: list[ClaimVerdict]
    unexplained_genes: list[str]
    unknown_genes: list[str]
    mapped_genes: list[dict]
    ambiguous_genes: list[dict]
    candidates: list[dict]
    proposals: list[dict]
    timings: dict[str, float]
    chosen_number: int | None = None
    judge_method: str = ""
    explanation: str = ""
    error: str = ""
    id: str = ""
    # Does the set share a function at all, and which themes does it hold (`agent.state.Coherence`, `Theme`).
    # Results written before the verdict existed have none: `coherence` None, `themes` empty, `verdict` "".
    verdict: str = ""
    coherence: dict | None = None
    name_confidence: float = 0.0
    themes: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Verification:
    claim: str
    genes: list[str]
    verdict: str
    explanation: str
    supporting_pathways: list[EvidenceRow]
    contradicting_pathways: list[EvidenceRow]
    supporting_genes: list[str]
    unknown_genes: list[str]
    mapped_genes: list[dict] = field(default_factory=list)
    # the best significant pathway pointing elsewhere, when it covers clearly more genes than the claim's pathways
    stronger_alternative: EvidenceRow | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def get_context(config: AgentConfig | None = None) -> AgentContext:
    """One context (open KB, loaded model) per configuration, reused across calls."""
    config = config or AgentConfig.from_env()
    with _contexts_lock:  # server threads may ask at once: still one context per configuration
        if config not in _contexts:
            _contexts[config] = AgentContext(config=config)
        return _contexts[config]


def analysis_from_state(state: AgentState, set_id: str = "") -> Analysis:
    report = state["report"]
    coherence = report.get("coherence")
    return Analysis(
        id=set_id,
        input_genes=list(state.get("input_genes", [])),
        genes=list(state.get("genes", [])),
        name=report["name"],
        confidence=report["confidence"],
        confidence_explanation=report["confidence_explanation"],
        chosen_from=report["chosen_from"],
        choice_explanation=report["choice_explanation"],
        reasoning=report["reasoning"],
        evidence=report["evidence"],
        verdicts=report["verdicts"],
        unexplained_genes=report["unexplained_genes"],
        unknown_genes=list(state.get("unknown_genes", [])),
        mapped_genes=list(state.get("mapped", [])),
        ambiguous_genes=list(state.get("ambiguous", [])),
        candidates=report["candidates"],
        proposals=list(state.get("proposals", [])),
        timings=dict(state.get("timings", {})),
        chosen_number=report.get("chosen_number"),
        judge_method=report.get("judge_method", ""),
        explanation=report.get("explanation", ""),
        error=state.get("error", ""),
        verdict=coherence["verdict"] if coherence else "",
        coherence=dict(coherence) if coherence else None,
        name_confidence=coherence["name_confidence"] if coherence else 0.0,
        themes=[dict(theme) for theme in report.get("themes") or []],
    )


def analyze(
    genes: Sequence[str],
    *,
    config: AgentConfig | None = None,
    context: AgentContext | None = None,
    set_id: str = "",
) -> Analysis:
    """Name the biological process of `genes`, with reasoning, evidence and verified claims.

    Input problems that leave nothing to analyse (an empty list, no known symbol) come back as an `Analysis`
    with `error` set and an empty name, so batch runs record them instead of stopping.
    """
    from gene_r1.agent.graph import build_graph

    context = context or get_context(config)
    # The graph's node functions run in-process (`agent.flow`): one analysis needs none of LangGraph's machinery.
    state = build_graph(direct=True).invoke({"input_genes": list(genes)}, context=context)
    return analysis_from_state(state, set_id)


def verify(
    claim: str,
    genes: Sequence[str],
    *,
    config: AgentConfig | None = None,
    context: AgentContext | None = None,
) -> Verification:
    """Check a proposed function for a gene set against the evidence, without the model: `supported` when pathways
    named like the claim cover the genes about as well as any pathway pointing elsewhere, `partly supported` when a
    stronger one points elsewhere (`stronger_alternative`) or the matching pathways are not significant, `not
    supported` otherwise (`agent.verification`)."""
    from gene_r1.agent.evidence import row_from_enrichment
    from gene_r1.agent.verification import check_claim
    from gene_r1.tools import enrich, normalise_genes
    from gene_r1.tools.genes import GeneInputError

    claim = claim.strip()
    if not claim:
        raise InputError("The claim is empty: say what function you propose for these genes.")
    context = context or get_context(config)
    try:
        normalised = normalise_genes(list(genes), kb=context.kb)
    except GeneInputError as error:
        raise InputError(str(error)) from error
    if not normalised.genes:
        raise InputError(f"None of the {len(genes)} input symbols is a known human gene symbol.")
    known = list(normalised.genes)
    rows = [row_from_enrichment(hit) for hit in enrich(known, sources=context.config.sources, kb=context.kb)]
    check = check_claim(claim, known, context.kb, {row["pathway_id"]: row for row in rows}, context.config)
    verdict = check.verdict
    return Verification(
        claim=claim,
        genes=known,
        verdict=verdict["verdict"],
        explanation=verdict["explanation"],
        supporting_pathways=verdict["supporting_pathways"],
        contradicting_pathways=check.elsewhere[:5],
        supporting_genes=verdict["supporting_genes"],
        unknown_genes=list(normalised.unknown),
        stronger_alternative=check.stronger_alternative,
        mapped_genes=[asdict(m) for m in normalised.mapped],
    )
