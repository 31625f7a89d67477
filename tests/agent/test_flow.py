"""The agent's graph run in-process (`agent.flow.DirectGraph`) ends in the state LangGraph's run of the same builder
calls ends in."""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict

import pytest

from gene_r1.agent.config import AgentConfig
from gene_r1.agent.context import AgentContext
from gene_r1.agent.flow import END, START, DirectGraph
from gene_r1.agent.graph import build_graph, build_prepare_graph
from tests.fixtures_kb import sample_gene_sets


def comparable(state: dict) -> dict:
    """A final state without wall times (the keys that were timed stay)."""
    return {**state, "timings": sorted(state.get("timings", {}))}


@pytest.fixture(scope="module")
def context(embedded_kb_home) -> AgentContext:
    return AgentContext(config=AgentConfig(home=embedded_kb_home))


@pytest.fixture(scope="module")
def inputs(embedded_kb_home) -> list[list[str]]:
    from gene_r1.tools.context import open_knowledge_base

    sets = sample_gene_sets(open_knowledge_base(embedded_kb_home).store, 12, seed=3)
    return sets + [["NOTAGENE1", "NOTAGENE2"], [], ["TP53"]]


def test_the_direct_run_ends_in_langgraph_s_final_state(context, inputs):
    langgraph, direct = build_graph(), build_graph(direct=True)

    for genes in inputs:
        expected = langgraph.invoke({"input_genes": genes}, context=context)
        assert comparable(direct.invoke({"input_genes": genes}, context=context)) == comparable(expected), genes


def test_the_direct_run_of_the_prepare_graph_ends_in_langgraph_s_state(context, inputs):
    langgraph, direct = build_prepare_graph(), build_prepare_graph(direct=True)

    for genes in inputs[:4] + inputs[-3:]:
        expected = langgraph.invoke({"input_genes": genes}, context=context)
        assert comparable(direct.invoke({"input_genes": genes}, context=context)) == comparable(expected), genes


def test_a_prepared_state_starts_at_the_assessment_in_both_runs(context, inputs):
    prepared = build_prepare_graph().invoke({"input_genes": inputs[0]}, context=context)
    judged = {**prepared, **build_graph().invoke({"input_genes": inputs[0]}, context=context)}
    judged = {key: judged[key] for key in (*prepared, "candidates", "judgement")}

    expected = build_graph().invoke(judged, context=context)

    assert comparable(build_graph(direct=True).invoke(judged, context=context)) == comparable(expected)


class Counting(TypedDict, total=False):
    steps: Annotated[list[str], operator.add]
    last: str


def test_reduced_keys_start_empty_and_accumulate_while_others_are_replaced():
    def step(name: str):
        return lambda state: {"steps": [name], "last": name}

    builder = DirectGraph(Counting)
    builder.add_node("a", step("a"))
    builder.add_node("b", step("b"))
    builder.add_edge(START, "a")
    builder.add_conditional_edges("a", lambda state: "b" if len(state["steps"]) < 3 else END, ["b", END])
    builder.add_edge("b", END)

    assert builder.compile().invoke({"steps": ["input"]}) == {"steps": ["input", "a", "b"], "last": "b"}


def test_start_and_end_are_langgraph_s_names():
    import langgraph.constants

    assert (START, END) == (langgraph.constants.START, langgraph.constants.END)


def test_fan_out_and_checkpointers_are_refused():
    builder = DirectGraph(Counting)
    builder.add_node("a", lambda state: {})
    builder.add_edge(START, "a")

    with pytest.raises(ValueError, match="fan-out"):
        builder.add_edge(START, "a")
    with pytest.raises(ValueError, match="checkpoint"):
        builder.compile(checkpointer=object())
