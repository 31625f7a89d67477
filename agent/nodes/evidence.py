"""Node 2: gather evidence, always, before the model speaks: enrichment, then semantic search around it."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent.context import AgentContext
from agent.evidence import row_from_enrichment, row_from_pathway
from agent.nodes.timing import timed
from agent.state import AgentState


@timed("gather_evidence")
def gather_evidence(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    from tools import enrich, search_pathways

    context = runtime.context
    config = context.config
    genes = state["genes"]
    hits = enrich(genes, sources=config.sources, kb=context.kb)
    evidence = [row_from_enrichment(hit) for hit in hits]
    tool_calls = state.get("tool_calls", 0) + 1
    search_rows = []
    if evidence:
        # Pathways described like the strongest hit that also contain the genes: other sources' names
        # for the same biology, which verification and the final choice can draw on.
        by_id = {row["pathway_id"]: row for row in evidence}
        found = search_pathways(evidence[0]["name"], k=config.search_k, genes=genes, kb=context.kb)
        tool_calls += 1
        seen = {row["pathway_id"] for row in evidence[: config.evidence_k]}
        for hit in found:
            if hit.pathway_id in seen:
                continue
            pathway = context.kb.store.pathway(hit.pathway_id)
            if pathway is not None:
                search_rows.append(row_from_pathway(pathway, genes, by_id))
    return {"evidence": evidence, "search_hits": search_rows, "tool_calls": tool_calls}
