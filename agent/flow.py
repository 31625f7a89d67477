"""The agent's graph run in-process without LangGraph: the same builder calls, walked one node at a time.

Why: importing LangGraph (with the langchain-core, langsmith and pydantic models it loads, partly on the first
`invoke`) cost 1.2 s of CPU of a cold `gene-r1 analyze` whose own work is ~0.1 s (`python -X importtime` and cProfile,
2 shared cores). The one-shot analysis needs none of what LangGraph adds (checkpoints, streaming, parallel branches,
interrupts); the chat keeps LangGraph for its checkpointed threads.

There is still one definition of the loop: `agent.graph` builds it with `builder.add_node / add_edge /
add_conditional_edges`, and `DirectGraph` accepts those same calls. It runs them with LangGraph's semantics for
this kind of graph: a node receives the whole state and returns a partial update; a key annotated with a reducer
(`Annotated[list, operator.add]`) starts from its type's empty value and is reduced, any other key is replaced; a
conditional edge's function gets the state (and `runtime=` when it has a parameter of that name, as nodes do) and
names the next node. Fan-out, `Send`, `Command` and checkpointers are refused when the graph is built.
tests/agent/test_flow.py checks that both runners give equal final states on seeded gene sets.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, get_args, get_origin, get_type_hints

START, END = "__start__", "__end__"  # LangGraph's names (langgraph.constants), so one builder serves both
ContextT = TypeVar("ContextT")
_MISSING = object()


@dataclass(frozen=True)
class Runtime(Generic[ContextT]):
    """What a node or a routing function reads of a runtime: the run's context (LangGraph's `Runtime` has it too)."""

    context: ContextT


class DirectGraph:
    """A drop-in for `langgraph.graph.StateGraph` in `agent.graph`'s builders (see the module docstring)."""

    def __init__(self, state_schema: type, context_schema: type | None = None):
        self.reducers: dict[str, tuple[Callable, Callable[[], Any]]] = {}
        for key, hint in get_type_hints(state_schema, include_extras=True).items():
            args = get_args(hint)
            if args and callable(args[-1]) and getattr(hint, "__metadata__", None):
                self.reducers[key] = (args[-1], _empty_value_of(args[0]))
        self.keys = set(get_type_hints(state_schema))
        self.nodes: dict[str, Callable] = {}
        self.edges: dict[str, str] = {}
        self.branches: dict[str, tuple[Callable, Mapping[str, str] | None]] = {}

    def add_node(self, name: str, node: Callable) -> DirectGraph:
        if name in self.nodes or name in (START, END):
            raise ValueError(f"node {name!r} is already defined or reserved")
        self.nodes[name] = node
        return self

    def add_edge(self, source: str, target: str) -> DirectGraph:
        if source in self.edges or source in self.branches:
            raise ValueError(f"{source!r} already has an outgoing edge: fan-out is not supported here")
        self.edges[source] = target
        return self

    def add_conditional_edges(self, source: str, path: Callable, path_map: Sequence[str] | Mapping[str, str] | None
                              = None) -> DirectGraph:
        if source in self.edges or source in self.branches:
            raise ValueError(f"{source!r} already has an outgoing edge: fan-out is not supported here")
        self.branches[source] = (path, dict(path_map) if isinstance(path_map, Mapping) else None)
        return self

    def compile(self, checkpointer: Any = None) -> DirectRun:
        if checkpointer is not None:
            raise ValueError("DirectGraph runs without checkpoints: build the LangGraph graph for a checkpointer")
        for source, target in self.edges.items():
            for name in (source, target):
                if name not in self.nodes and name not in (START, END):
                    raise ValueError(f"edge {source!r} -> {target!r} names an unknown node")
        return DirectRun(self)


class DirectRun:
    """A compiled `DirectGraph`: `invoke(input, context=...)` returns the final state, as LangGraph's does."""

    def __init__(self, graph: DirectGraph):
        self.graph = graph

    def invoke(self, input: Mapping[str, Any], context: Any = None) -> dict[str, Any]:
        graph = self.graph
        runtime = Runtime(context=context)
        state = {key: empty() for key, (_, empty) in graph.reducers.items()}
        state = {key: value for key, value in state.items() if value is not _MISSING}
        self._apply(state, input)
        node = self._next(START, state, runtime)
        while node != END:
            update = _call(graph.nodes[node], state, runtime)
            self._apply(state, update or {})
            node = self._next(node, state, runtime)
        return state

    def _apply(self, state: dict[str, Any], update: Mapping[str, Any]) -> None:
        for key, value in update.items():
            if key not in self.graph.keys:
                raise KeyError(f"update of {key!r}, which the state does not declare")
            reducer = self.graph.reducers.get(key)
            state[key] = reducer[0](state[key], value) if reducer is not None and key in state else value

    def _next(self, node: str, state: dict[str, Any], runtime: Runtime) -> str:
        if node in self.graph.edges:
            return self.graph.edges[node]
        if node in self.graph.branches:
            path, path_map = self.graph.branches[node]
            chosen = _call(path, state, runtime)
            return path_map[chosen] if path_map is not None else chosen
        return END  # a node without an outgoing edge ends the run, as in LangGraph


def _call(function: Callable, state: dict[str, Any], runtime: Runtime) -> Any:
    if "runtime" in inspect.signature(function).parameters:
        return function(state, runtime=runtime)
    return function(state)


def _empty_value_of(annotation: Any) -> Callable[[], Any]:
    """LangGraph's starting value of a reduced key: its type called with no argument (list() for list[...])."""
    base = get_origin(annotation) or annotation

    def empty() -> Any:
        try:
            return base()
        except TypeError:  # a type without a no-argument value starts missing, as LangGraph's does
            return _MISSING

    return empty
