"""`gene_info`: one gene's approved name and groups (when the KB has HGNC data) and the pathways that contain it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from gene_r1.knowledge_base.store import EVIDENCE_SOURCES
from gene_r1.tools.errors import ToolInputError
from gene_r1.tools.genes import SymbolMapping
from gene_r1.tools.pathways import PathwayRef

if TYPE_CHECKING:
    from gene_r1.tools.context import KnowledgeBase


@dataclass(frozen=True)
class GeneInfo:
    input: str
    symbol: str
    name: str  # "" when the KB was built without HGNC names
    groups: tuple[str, ...]
    hgnc_id: str
    pathways: dict[str, tuple[PathwayRef, ...]]  # source -> pathways containing the gene
    mapping: SymbolMapping | None = None  # how the input was mapped to `symbol`, if it was
    note: str = ""


def gene_info(symbol: str, kb: KnowledgeBase | None = None) -> GeneInfo:
    """What the KB knows about one gene. Unknown or ambiguous symbols raise `ToolInputError` saying which."""
    from gene_r1.tools.context import resolve_kb
    from gene_r1.tools.genes import normalise_genes

    if not isinstance(symbol, str) or not symbol.strip():
        raise ToolInputError("Give one gene symbol, e.g. TP53.")
    kb = resolve_kb(kb)
    result = normalise_genes([symbol], kb=kb)
    if result.ambiguous:
        text, candidates = result.ambiguous[0]
        raise ToolInputError(f"{text!r} is ambiguous: it may stand for {', '.join(candidates)}. Ask about one of them.")
    if not result.genes:
        raise ToolInputError(f"{symbol.strip()!r} is not a known human gene symbol (HGNC approved, previous, alias "
                             "or Ensembl gene id).")
    approved = result.genes[0]
    record = kb.store.gene(approved)
    by_source: dict[str, list[PathwayRef]] = {source: [] for source in EVIDENCE_SOURCES}
    index = kb.enrichment_index
    for pid in kb.store.pathway_ids_for_gene(approved):
        position = index.position.get(pid)
        if position is not None and index.sources[position] in by_source:
            by_source[index.sources[position]].append(PathwayRef(pid, index.names[pid]))
    notes = []
    if record is None or not record.name:
        notes.append("The knowledge base holds no HGNC names or groups (built without HGNC's table).")
    if not any(by_source.values()):
        notes.append(f"No Reactome or WikiPathways pathway contains {approved}.")
    return GeneInfo(
        input=symbol.strip(), symbol=approved, name=record.name if record else "",
        groups=record.groups if record else (), hgnc_id=record.hgnc_id if record else "",
        pathways={s: tuple(sorted(refs, key=lambda r: r.name.lower())) for s, refs in by_source.items()},
        mapping=result.mapped[0] if result.mapped else None, note=" ".join(notes),
    )
