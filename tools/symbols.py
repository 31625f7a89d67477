"""Approved symbols and aliases of the knowledge base, and what one input symbol stands for.

Built once per knowledge base (`KnowledgeBase.symbols`); it imports nothing from the tool modules, so the context
can build it without an import cycle. `tools.genes.normalise_genes` is the tool on top.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from gene_r1.knowledge_base.store import Alias, PathwayStore

_ENSEMBL_GENE = re.compile(r"^ENSG\d{11}(\.\d+)?$")
# An old symbol points at one gene lineage (HGNC does not reuse it); an alias is looser: a previous-symbol match
# is used before alias matches are even considered.
_TIERS = (("ensembl",), ("previous",), ("alias",))


@dataclass(frozen=True)
class SymbolLookup:
    """Upper-cased approved symbols and aliases -> approved symbols: built once per knowledge base.

    Approved symbols are read at once (45k, ~15 ms); aliases are looked up in the store one input at a time (an
    indexed query) because reading all 134k of them cost 0.3-1 s of every cold start for the few a set needs.
    """

    approved: Mapping[str, str]
    aliases: Callable[[str], Sequence[Alias]]  # upper-cased alias -> the rows it stands for

    @classmethod
    def from_store(cls, store: PathwayStore) -> SymbolLookup:
        return cls(approved={symbol.upper(): symbol for symbol in store.approved_symbols()}, aliases=store.aliases_of)

    def resolve(self, text: str) -> Resolution:
        """What `text` (already stripped) stands for."""
        key = text.upper()
        if _ENSEMBL_GENE.match(key):
            key = key.split(".", 1)[0]
        symbol = self.approved.get(key)
        if symbol is not None:
            return Resolution(symbol, "case" if symbol != text else "")
        rows = self.aliases(key)
        for kinds in _TIERS:
            candidates = tuple(sorted({a.symbol for a in rows if a.kind in kinds}))
            if len(candidates) == 1:
                return Resolution(candidates[0], kinds[0])
            if candidates:
                return Resolution(None, "ambiguous", candidates)
        return Resolution(None, "unknown")


@dataclass(frozen=True)
class Resolution:
    symbol: str | None  # the approved symbol, when the input stands for exactly one
    kind: str  # "" (as given) | case | ensembl | previous | alias | ambiguous | unknown
    candidates: tuple[str, ...] = ()
