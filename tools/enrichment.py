"""Over-representation analysis as a tool: raw symbols in (normalised first), pathways out. The statistics and the
index they run on are `tools.enrichment_index` (built once per knowledge base, as `KnowledgeBase.enrichment_index`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from gene_r1.knowledge_base.store import EVIDENCE_SOURCES
from gene_r1.tools.enrichment_index import (
    DEFAULT_MAX_RESULTS,
    LARGE_QUERY,
    EnrichmentHit,
    EnrichmentIndex,
    EnrichmentResult,
    check_sources,
)

if TYPE_CHECKING:
    from gene_r1.tools.context import KnowledgeBase

__all__ = [
    "DEFAULT_MAX_RESULTS",
    "LARGE_QUERY",
    "EnrichmentHit",
    "EnrichmentIndex",
    "EnrichmentResult",
    "check_sources",
    "enrich",
    "run_enrichment",
]


def enrich(
    genes: Sequence[str],
    sources: Sequence[str] = EVIDENCE_SOURCES,
    *,
    kb: KnowledgeBase | None = None,
    exclude_ids: Collection[str] = (),
    max_results: int | None = DEFAULT_MAX_RESULTS,
) -> list[EnrichmentHit]:
    """Pathways over-represented in `genes` (raw symbols: normalised first), best first. No network."""
    return list(run_enrichment(genes, sources, kb=kb, exclude_ids=exclude_ids, max_results=max_results).hits)


def run_enrichment(
    genes: Sequence[str],
    sources: Sequence[str] = EVIDENCE_SOURCES,
    *,
    kb: KnowledgeBase | None = None,
    exclude_ids: Collection[str] = (),
    max_results: int | None = DEFAULT_MAX_RESULTS,
) -> EnrichmentResult:
    """`enrich` with its context: the normalisation, the genes tested and those outside the background."""
    from gene_r1.tools.context import resolve_kb
    from gene_r1.tools.genes import normalise_genes

    kb = resolve_kb(kb)
    if isinstance(sources, str):
        sources = (sources,)
    index = kb.enrichment_index
    check_sources(sources, index.source_names)
    normalisation = normalise_genes(genes, kb=kb)
    result = index.enrich(normalisation.genes, sources=sources, exclude_ids=exclude_ids, max_results=max_results)
    notes = result.notes
    if not normalisation.genes:
        notes = ("None of the input symbols is a known human gene symbol: nothing to test.",)
    return EnrichmentResult(
        hits=result.hits, tested_genes=result.tested_genes, outside_background=result.outside_background,
        background_size=result.background_size, sets_tested=result.sets_tested,
        normalisation=normalisation, notes=notes,
    )
