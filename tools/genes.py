"""Gene symbol normalisation in one place: case, whitespace, quotes, duplicates, previous symbols, aliases, Ensembl.

Every change is reported (`SymbolMapping`); a symbol that may stand for several genes is returned as ambiguous with
its candidates, and a symbol the knowledge base does not know is returned as unknown. Nothing is guessed or dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gene_r1.tools.errors import ToolInputError
from gene_r1.tools.symbols import Resolution, SymbolLookup

if TYPE_CHECKING:
    from gene_r1.tools.context import KnowledgeBase

__all__ = [
    "KIND_LABELS",
    "GeneInputError",
    "GeneNormalisation",
    "Resolution",
    "SymbolLookup",
    "SymbolMapping",
    "normalise_genes",
]

MAX_GENES = 10_000
_STRIP = " \t\r\n\"'`,;"
KIND_LABELS = {
    "case": "case corrected",
    "ensembl": "Ensembl gene id",
    "previous": "previous symbol",
    "alias": "alias symbol",
}


class GeneInputError(ToolInputError):
    """The gene list cannot be used at all (empty, not a list of strings, too long)."""


@dataclass(frozen=True)
class SymbolMapping:
    input: str
    symbol: str
    kind: str  # case | ensembl | previous | alias


@dataclass(frozen=True)
class GeneNormalisation:
    genes: tuple[str, ...]  # approved symbols, input order, each once
    mapped: tuple[SymbolMapping, ...] = ()
    ambiguous: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (input, candidate symbols)
    unknown: tuple[str, ...] = ()
    duplicates: tuple[str, ...] = ()  # inputs that repeat an earlier gene

    def notes(self) -> list[str]:
        """One plain sentence per change or problem, for people and prompts."""
        notes = [f"{m.input} -> {m.symbol} ({KIND_LABELS.get(m.kind, m.kind)})" for m in self.mapped]
        notes += [f"{text} is ambiguous (could be {', '.join(c)}): left out" for text, c in self.ambiguous]
        if self.unknown:
            notes.append(f"not a known human gene symbol, left out: {', '.join(self.unknown)}")
        if self.duplicates:
            notes.append(f"duplicates ignored: {', '.join(self.duplicates)}")
        return notes


def normalise_genes(symbols: Sequence[str], kb: KnowledgeBase | None = None) -> GeneNormalisation:
    """Map raw input symbols to approved HGNC symbols of the knowledge base, reporting every change."""
    items = _clean(symbols)
    if kb is None:
        from gene_r1.tools.context import open_knowledge_base

        kb = open_knowledge_base()
    lookup = kb.symbols
    genes: list[str] = []
    seen: set[str] = set()
    seen_other: set[str] = set()
    mapped, ambiguous, unknown, duplicates = [], [], [], []
    for text in items:
        resolved = lookup.resolve(text)
        symbol, kind = resolved.symbol, resolved.kind
        if symbol is None:
            key = text.upper()
            if key in seen_other:
                duplicates.append(text)
                continue
            seen_other.add(key)
            if kind == "ambiguous":
                ambiguous.append((text, resolved.candidates))
            else:
                unknown.append(text)
            continue
        if symbol in seen:
            duplicates.append(text)
            continue
        seen.add(symbol)
        genes.append(symbol)
        if kind:
            mapped.append(SymbolMapping(input=text, symbol=symbol, kind=kind))
    return GeneNormalisation(
        genes=tuple(genes), mapped=tuple(mapped), ambiguous=tuple(ambiguous),
        unknown=tuple(unknown), duplicates=tuple(duplicates),
    )


def _clean(symbols: Sequence[str]) -> list[str]:
    """Validate the container and strip each entry; blank entries are not symbols and are skipped."""
    if isinstance(symbols, str | bytes):
        raise GeneInputError(
            "Pass the genes as a list of symbols (e.g. ['CDK1', 'CCNB1']), not as one string."
        )
    try:
        raw = list(symbols)
    except TypeError as error:
        raise GeneInputError(f"Pass the genes as a list of symbols, not {type(symbols).__name__}.") from error
    bad = [repr(s) for s in raw if not isinstance(s, str)]
    if bad:
        raise GeneInputError(f"Gene symbols must be text; got {', '.join(bad[:5])}.")
    if len(raw) > MAX_GENES:
        raise GeneInputError(
            f"{len(raw)} genes is more than the {MAX_GENES:,} this tool accepts: a list that long is a background, "
            "not a gene set. Pass the genes of interest (e.g. the differentially expressed ones)."
        )
    items = [s.strip(_STRIP) for s in raw]
    items = [s for s in items if s]
    if not items:
        raise GeneInputError("The gene list is empty: give at least one gene symbol (e.g. CDK1 CCNB1 PLK1).")
    return items
