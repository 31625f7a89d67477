"""Node 5: the report — the judge's name and its calibrated confidence, the reasoning and verdicts, all quoted
from the evidence by code."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent.context import AgentContext
from agent.explained import explained_genes
from agent.nodes.timing import timed
from agent.reasoning import render_reasoning
from agent.state import AgentState, Report


@timed("report")
def report(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    config = runtime.context.config
    if state.get("error"):
        return {"report": empty_report(state["error"])}
    evidence = state.get("evidence", [])
    candidates = state.get("candidates", [])
    judgement = state.get("judgement", {})
    chosen = next((c for c in candidates if c["number"] == judgement.get("chosen_number")), None)
    # Only significant, specific pathways explain a gene (a 2,000-gene "Immune System" explains nothing).
    split = explained_genes(state.get("genes", []), [row for row in evidence if row["kind"] == "enrichment"],
                            fdr_threshold=config.fdr_threshold)
    reasoning = render_reasoning(state["genes"], evidence, candidates, judgement, config.fdr_threshold)
    result = Report(
        name=chosen["name"] if chosen else "",
        confidence=judgement.get("confidence", 0.0) if chosen else 0.0,
        confidence_explanation=confidence_text(chosen, judgement),
        chosen_from="evidence" if chosen else "none",
        choice_explanation=choice_text(chosen, judgement, len(candidates)),
        reasoning=reasoning,
        evidence=evidence[: max(config.evidence_k * 2, 10)] + state.get("search_hits", []),
        verdicts=state.get("verdicts", []),
        unexplained_genes=list(split.unexplained),
        candidates=candidates,
        chosen_number=chosen["number"] if chosen else None,
        judge_method=judgement.get("method", ""),
        explanation=state.get("explanation", ""),
    )
    return {"report": result}


def confidence_text(chosen: dict | None, judgement: dict) -> str:
    if chosen is None:
        return "No pathway shares genes with the set: no grounded name."
    return (f"The judge gave [{chosen['number']}] probability {chosen['probability']:.2f}; calibrated on the dev "
            f"split, {judgement.get('confidence', 0.0):.2f} is the share of such choices whose name matched the "
            "true one (cosine >= 0.5).")


def choice_text(chosen: dict | None, judgement: dict, total: int) -> str:
    if chosen is None:
        return "Nothing to choose from: no grounded candidate."
    by = "the feature ranker"
    if judgement.get("method") == "ranker+model":
        by += " and the model's vote"
    return (f"[{chosen['number']}] {chosen['name']} ({chosen['pathway_id']}) was chosen by {by} among "
            f"{judgement.get('shown') or total} of {total} grounded candidates.")


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
        chosen_number=None,
        judge_method="",
        explanation="",
    )
