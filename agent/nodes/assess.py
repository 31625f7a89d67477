"""Node 4: judge like an analyst — the set's themes, each named by the grounded judge, whether the set shares a
function at all, and the headline (`agent.analyst.assess`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gene_r1.agent.context import AgentContext
from gene_r1.agent.nodes.timing import timed
from gene_r1.agent.state import AgentState

if TYPE_CHECKING:
    from langgraph.runtime import Runtime


def set_statistics_of(genes, context: AgentContext):
    """The statistics the coherence verdict reads (`tools.enrichment_null.SetStatistics`) of these genes."""
    from gene_r1.tools.enrichment_null import set_statistics

    return set_statistics(context.kb.enrichment_index, genes, context.config.sources, context.null_computer)


def assessment_for(state: AgentState, context: AgentContext, statistics=None):
    """Themes, coherence and headline of the state's set; `statistics`: its `set_statistics_of`, when the caller
    has them already."""
    from gene_r1.agent.analyst import assess
    from gene_r1.agent.coherence import load_model
    from gene_r1.agent.judge import rank_rows

    genes = state["genes"]
    statistics = set_statistics_of(genes, context) if statistics is None else statistics
    return assess(genes, statistics.tested, state.get("evidence", []), list(state.get("candidates", [])),
                  lambda rows: rank_rows(rows, len(genes), context.ranker, context.embed),
                  statistics, context.enrichment_null, load_model(), context.config.fdr_threshold)


def headline_number(assessment, candidates: list[dict], selection: str) -> int | None:
    """The candidate the set's name is: the top enrichment hit for `top_evidence`, else the strongest theme's
    grounded name (None when the set has no coherent function)."""
    if selection == "top_evidence":
        top = next((c for c in candidates if c["enrichment_rank"] == 1), None)
        return top["number"] if top else None
    return assessment.headline["number"] if assessment.headline else None


@timed("assess")
def assess(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    context = runtime.context
    assessment = assessment_for(state, context)
    judgement = dict(state.get("judgement", {}))
    judgement["ranker_choice"] = judgement.get("chosen_number")
    judgement["chosen_number"] = headline_number(assessment, assessment.candidates, context.config.selection)
    judgement["confidence"] = assessment.coherence["name_confidence"]
    return {"candidates": assessment.candidates, "judgement": judgement, "themes": assessment.themes,
            "coherence": assessment.coherence}
