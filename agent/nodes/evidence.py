"""Node 2: gather evidence, always, before the model is asked anything: enrichment, then semantic search around
the strongest hit (`agent.evidence.gather`, the same engine training and evaluation use)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gene_r1.agent.context import AgentContext
from gene_r1.agent.evidence import gather
from gene_r1.agent.nodes.timing import timed
from gene_r1.agent.state import AgentState

if TYPE_CHECKING:
    from langgraph.runtime import Runtime


@timed("gather_evidence")
def gather_evidence(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    context = runtime.context
    config = context.config
    evidence, search_rows = gather(state["genes"], context.kb, sources=config.sources, search_k=config.search_k)
    tool_calls = state.get("tool_calls", 0) + (2 if evidence else 1)
    return {"evidence": evidence, "search_hits": search_rows, "tool_calls": tool_calls}
