"""Node 5: the report — the judge's name and its calibrated confidence, the reasoning and verdicts, all quoted
from the evidence by code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gene_r1.agent.context import AgentContext
from gene_r1.agent.explained import explained_genes
from gene_r1.agent.nodes.timing import timed
from gene_r1.agent.reasoning import render_reasoning
from gene_r1.agent.state import NO_COHERENT_FUNCTION, AgentState, Report

if TYPE_CHECKING:
    from langgraph.runtime import Runtime


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
    coherence = state.get("coherence")
    themes = state.get("themes", [])
    incoherent = coherence is not None and coherence["verdict"] == "no coherent function"
    written = judgement.get("written") if chosen and not incoherent else None
    by_model = bool(written and written["taken"])
    result = Report(
        name=NO_COHERENT_FUNCTION if incoherent else (written["name"] if by_model else
                                                       (chosen["name"] if chosen else "")),
        confidence=judgement.get("confidence", 0.0) if chosen else 0.0,
        confidence_explanation=confidence_text(chosen, judgement),
        chosen_from="model" if by_model else ("evidence" if chosen else "none"),
        choice_explanation=choice_text(chosen, judgement, len(candidates)) + written_text(written),
        reasoning=reasoning,
        evidence=shown_evidence(evidence[: config.evidence_k] + state.get("search_hits", []),
                                evidence, [chosen["pathway_id"]] if chosen else [], themes),
        verdicts=state.get("verdicts", []),
        unexplained_genes=unexplained(state.get("genes", []), themes, coherence, list(split.unexplained)),
        candidates=candidates,
        chosen_number=chosen["number"] if chosen else None,
        judge_method=judgement.get("method", ""),
        explanation=state.get("explanation", ""),
        coherence=coherence,
        themes=themes,
    )
    return {"report": result}


def unexplained(genes: list[str], themes: list[dict], coherence: dict | None, by_rows: list[str]) -> list[str]:
    """Genes no theme the report shows explains (the themes are the significant specific pathways, grouped; weak
    themes of a set with no coherent function explain nothing). Results without themes use the row rule."""
    if coherence is None:
        return by_rows
    covered = {g for t in themes if not t["weak"] for g in t["genes"]}
    return [g for g in dict.fromkeys(genes) if g not in covered]


def shown_evidence(rows: list[dict], evidence: list[dict], chosen_ids: list[str], themes: list[dict]) -> list[dict]:
    """The evidence a report shows: the strongest rows and the search hits, plus every pathway a name rests on
    (the chosen one, each theme's), so that every cited pathway appears in the table."""
    shown = {row["pathway_id"] for row in rows}
    wanted = chosen_ids + [t["pathway_id"] for t in themes]
    extra = [row for row in evidence if row["pathway_id"] in wanted and row["pathway_id"] not in shown]
    return rows + list({row["pathway_id"]: row for row in extra}.values())


def confidence_text(chosen: dict | None, judgement: dict) -> str:
    if chosen is None:
        return "No name is claimed: no grounded candidate names a coherent theme of the set."
    return (f"Name confidence {judgement.get('confidence', 0.0):.2f}: calibrated on development gene sets, the "
            "chance that a name chosen like this one matches the set's true function (name similarity of at least "
            "0.5).")


def choice_text(chosen: dict | None, judgement: dict, total: int) -> str:
    if chosen is None:
        return "Nothing to choose from: no grounded candidate names a coherent theme."
    by = "the feature ranker"
    if judgement.get("method") == "ranker+model":
        by += " and the model's vote"
    return (f"[{chosen['number']}] {chosen['name']} ({chosen['pathway_id']}) names the strongest theme: chosen by "
            f"{by} among the theme's significant pathways that cover about as many of the set's genes as its best "
            f"one ({total} grounded candidates in all).")


def written_text(written: dict | None) -> str:
    """What became of the naming model's name (`--selection model`), in words; empty when it was not asked."""
    if not written:
        return ""
    if written["taken"]:
        return (f" The name shown was written by the naming model from these candidates: \"{written['name']}\", "
                f"closest to [{written['closest_number']}] (name similarity {written['grounding']:.2f}) and "
                "supported by verification on the set's genes.")
    shown = f" \"{written['name']}\"" if written["name"] else ""
    return f" The naming model's name{shown} was not used: {written['reason']}."


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
        coherence=None,
        themes=[],
    )
