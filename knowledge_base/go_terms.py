"""A Gene Ontology term and the true-path rule: what the mirror loader (`knowledge_base.go`) and the official-file
loader (`knowledge_base.go_official`) both build on, so that neither imports the other's module for it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class GoTerm:
    id: str
    name: str
    namespace: str  # BP | MF | CC
    genes: frozenset[str]


def propagated_genes(children: Mapping[str, Sequence[str]],
                     own: Mapping[str, Iterable[str]]) -> Callable[[str], frozenset[str]]:
    """The true-path rule: a term's genes are its own plus all its descendants' (memoised across calls)."""
    full: dict[str, frozenset[str]] = {}

    def genes_of(root: str) -> frozenset[str]:
        # Iterative post-order walk: the DAG is deep enough to exhaust Python's recursion limit.
        stack = [root]
        while stack:
            term = stack[-1]
            if term in full:
                stack.pop()
                continue
            pending = [c for c in children.get(term, ()) if c not in full and c not in stack]
            if pending:
                stack.extend(pending)
                continue
            genes = set(own.get(term, ()))
            for child in children.get(term, ()):
                genes |= full.get(child, frozenset())
            full[term] = frozenset(genes)
            stack.pop()
        return full[root]

    return genes_of
