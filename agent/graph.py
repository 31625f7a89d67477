"""The agent's loop: normalise → gather evidence → judge → assess → (name) → (explain) → verify → report."""

from __future__ import annotations

from gene_r1.agent.context import AgentContext
from gene_r1.agent.flow import END, START, Runtime  # LangGraph's START/END; Runtime: what routing reads of a run
from gene_r1.agent.nodes.assess import assess
from gene_r1.agent.nodes.evidence import gather_evidence
from gene_r1.agent.nodes.judge import explain, judge
from gene_r1.agent.nodes.name import write_name
from gene_r1.agent.nodes.normalise import normalise
from gene_r1.agent.nodes.report import report
from gene_r1.agent.nodes.verify import verify
from gene_r1.agent.state import AgentState


def after_normalise(state: AgentState) -> str:
    return "report" if state.get("error") else "gather_evidence"


def model_names(state: AgentState, selection: str) -> bool:
    """Whether the naming model writes the set's name: with `--selection model`, for an assessed set the judge
    could name and that has a coherent function."""
    coherence = state.get("coherence") or {}
    named = state.get("judgement", {}).get("chosen_number") is not None
    return selection == "model" and named and coherence.get("verdict") != "no coherent function"


def after_assess(state: AgentState, runtime: Runtime[AgentContext]) -> str:
    return "name" if model_names(state, runtime.context.config.selection) else after_name(state, runtime)


def after_name(state: AgentState, runtime: Runtime[AgentContext]) -> str:
    return "explain" if runtime.context.config.explain and state.get("candidates") else "verify"


def start(state: AgentState, runtime: Runtime[AgentContext]) -> str:
    """Batch runs arrive prepared (normalised, evidence gathered, judged in one batched model call): they start
    at the assessment, or past it when the batch assessed them already (to draft names only for the sets with a
    function, `--selection model`), or at report when preparing found nothing to analyse."""
    if state.get("error"):
        return "report"
    if "coherence" in state:
        return after_assess(state, runtime)
    return "assess" if "judgement" in state else "normalise"


def new_builder(direct: bool):
    """LangGraph's `StateGraph`, or with `direct` the in-process runner of the same builder calls (`agent.flow`:
    no LangGraph import, for one-shot analyses)."""
    if direct:
        from gene_r1.agent.flow import DirectGraph as Builder
    else:
        from langgraph.graph import StateGraph as Builder
    return Builder(AgentState, context_schema=AgentContext)


def build_prepare_graph(direct: bool = False):
    """Normalise and gather evidence only: the model-free first half, run per set before batched judging."""
    builder = new_builder(direct)
    builder.add_node("normalise", normalise)
    builder.add_node("gather_evidence", gather_evidence)
    builder.add_edge(START, "normalise")
    builder.add_conditional_edges("normalise", after_normalise, {"gather_evidence": "gather_evidence", "report": END})
    builder.add_edge("gather_evidence", END)
    return builder.compile()


def build_graph(checkpointer=None, direct: bool = False):
    builder = new_builder(direct)
    builder.add_node("normalise", normalise)
    builder.add_node("gather_evidence", gather_evidence)
    builder.add_node("judge", judge)
    builder.add_node("assess", assess)
    builder.add_node("name", write_name)
    builder.add_node("explain", explain)
    builder.add_node("verify", verify)
    builder.add_node("report", report)
    builder.add_conditional_edges(START, start, ["normalise", "assess", "name", "explain", "verify", "report"])
    builder.add_conditional_edges("normalise", after_normalise, ["gather_evidence", "report"])
    builder.add_edge("gather_evidence", "judge")
    builder.add_edge("judge", "assess")
    builder.add_conditional_edges("assess", after_assess, ["name", "explain", "verify"])
    builder.add_conditional_edges("name", after_name, ["explain", "verify"])
    builder.add_edge("explain", "verify")
    builder.add_edge("verify", "report")
    builder.add_edge("report", END)
    return builder.compile(checkpointer=checkpointer)
