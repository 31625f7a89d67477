"""The agent's loop: normalise → gather evidence → propose → verify ⇄ revise → report."""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph

from agent.context import AgentContext
from agent.nodes.evidence import gather_evidence
from agent.nodes.normalise import normalise
from agent.nodes.propose import needs_revision, propose
from agent.nodes.report import report
from agent.nodes.verify import verify
from agent.state import AgentState


def after_normalise(state: AgentState) -> str:
    return "report" if state.get("error") else "gather_evidence"


def start(state: AgentState) -> str:
    """Batch runs arrive prepared (normalised, evidence gathered, a first proposal made in a batched step):
    they start at verify, or at report when preparing found nothing to analyse."""
    if state.get("error"):
        return "report"
    return "verify" if state.get("proposals") else "normalise"


def build_prepare_graph():
    """Normalise and gather evidence only: the model-free first half, run per set before batched generation."""
    builder = StateGraph(AgentState, context_schema=AgentContext)
    builder.add_node("normalise", normalise)
    builder.add_node("gather_evidence", gather_evidence)
    builder.add_edge(START, "normalise")
    builder.add_conditional_edges("normalise", after_normalise, {"gather_evidence": "gather_evidence", "report": END})
    builder.add_edge("gather_evidence", END)
    return builder.compile()


def build_graph(checkpointer=None):
    builder = StateGraph(AgentState, context_schema=AgentContext)
    builder.add_node("normalise", normalise)
    builder.add_node("gather_evidence", gather_evidence)
    builder.add_node("propose", propose)
    builder.add_node("verify", verify)
    builder.add_node("report", report)
    builder.add_conditional_edges(START, start, ["normalise", "verify", "report"])
    builder.add_conditional_edges("normalise", after_normalise, ["gather_evidence", "report"])
    builder.add_edge("gather_evidence", "propose")
    builder.add_edge("propose", "verify")
    builder.add_conditional_edges("verify", needs_revision, ["propose", "report"])
    builder.add_edge("report", END)
    return builder.compile(checkpointer=checkpointer)
