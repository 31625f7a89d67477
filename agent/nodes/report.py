"""Node 6: the report — final name and why, confidence and why, reasoning, evidence, verdicts, unexplained genes."""

from __future__ import annotations

from dataclasses import asdict

from langgraph.runtime import Runtime

from agent.context import AgentContext
from agent.evidence import is_significant
from agent.nodes.timing import timed
from agent.selection import choose, confidence_for, gather_candidates
from agent.state import AgentState, Report


@timed("report")
def report(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    context = runtime.context
    config = context.config
    if state.get("error"):
        return {"report": empty_report(state["error"])}
    evidence = state.get("evidence", [])
    significant = [row for row in evidence if is_significant(row, config.fdr_threshold)]
    candidates = gather_candidates(
        state.get("proposals", []), state.get("candidate_verdicts", {}), significant, config.candidate_k
    )
    choice = choose(candidates, significant[: config.consensus_k], config.selection, context.embed)
    model_proposals = [p for p in state.get("proposals", []) if p["origin"] == "model"]
    agreement = model_agreement(choice.candidate, model_proposals, context)
    confidence, confidence_why = confidence_for(choice, agreement)
    explained = {g for row in significant[: config.consensus_k] for g in row["overlap_genes"]}
    for verdict in state.get("verdicts", []):
        explained.update(verdict["supporting_genes"] if verdict["kind"] == "name" else ())
    result = Report(
        name=choice.candidate.name if choice.candidate else "",
        confidence=confidence,
        confidence_explanation=confidence_why,
        chosen_from=choice.candidate.origin if choice.candidate else "none",
        choice_explanation=choice.explanation,
        reasoning=model_proposals[-1]["reasoning"] if model_proposals else "",
        evidence=evidence[: max(config.evidence_k * 2, 10)] + state.get("search_hits", []),
        verdicts=state.get("verdicts", []),
        unexplained_genes=[g for g in state.get("genes", []) if g not in explained],
        candidates=[asdict(c) | {"score": choice.scores.get(c.name)} for c in candidates],
    )
    return {"report": result}


def model_agreement(candidate, proposals, context: AgentContext) -> float:
    """Similarity of the chosen name to the model's latest proposal (1.0 when the model's name was chosen)."""
    if candidate is None or not proposals or not proposals[-1]["name"]:
        return 0.0
    if candidate.origin == "model":
        return 1.0
    vectors = context.embed([candidate.name, proposals[-1]["name"]])
    return float(vectors[0] @ vectors[1])


def empty_report(reason: str) -> Report:
    return Report(
        name="",
        confidence=0.0,
        confidence_explanation=reason,
        chosen_from="none",
        choice_explanation=reason,
        reasoning="",
        evidence=[],
        verdicts=[],
        unexplained_genes=[],
        candidates=[],
    )
