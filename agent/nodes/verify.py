"""Node 4: split the model's latest proposal into checkable claims and check each against the tools."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent.context import AgentContext
from agent.nodes.timing import timed
from agent.state import AgentState
from agent.verification import check_gene_roles, check_name, check_outside_genes, mentioned_genes


@timed("verify")
def verify(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    context = runtime.context
    genes = state["genes"]
    enrichment = {row["pathway_id"]: row for row in state.get("evidence", [])}
    proposal = [p for p in state.get("proposals", []) if p["origin"] == "model"][-1]
    name_verdict = check_name(proposal["name"], genes, context.kb, enrichment, context.config)
    verdicts = [name_verdict]
    inside, outside = mentioned_genes(proposal["raw"], genes, context.kb.symbols.approved)
    if inside and proposal["name"]:
        verdicts.append(check_gene_roles(proposal["name"], inside, name_verdict))
    if outside:
        verdicts.append(check_outside_genes(outside))
    candidate_verdicts = dict(state.get("candidate_verdicts", {}))
    candidate_verdicts[proposal["name"]] = name_verdict
    return {
        "verdicts": verdicts,
        "candidate_verdicts": candidate_verdicts,
        "tool_calls": state.get("tool_calls", 0) + 1,
    }
