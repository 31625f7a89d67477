"""Pathways containing given genes, ranked by overlap: the shared core of `reactome_pathways` and
`wikipathways_pathways`, local (the store) or online (the source's web service, falling back to local)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gene_r1.tools.enrichment_index import PathwayMatch
from gene_r1.tools.errors import OnlineServiceError, ToolInputError

if TYPE_CHECKING:
    from gene_r1.tools.context import KnowledgeBase
    from gene_r1.tools.genes import GeneNormalisation

log = logging.getLogger(__name__)
DEFAULT_MAX_RESULTS = 25


@dataclass(frozen=True)
class PathwayOverlap(PathwayMatch):
    p_value: float | None = None  # online Reactome only: the service's own statistics
    fdr: float | None = None


@dataclass(frozen=True)
class PathwayLookup:
    source: str
    origin: str  # "local" | "online"
    pathways: tuple[PathwayOverlap, ...]
    normalisation: GeneNormalisation | None = None
    warnings: tuple[str, ...] = ()


OnlineFetch = Callable[[Sequence[str]], list[PathwayOverlap]]


def rank_by_overlap(pathways: Sequence[PathwayOverlap]) -> list[PathwayOverlap]:
    """Most query genes first; among equals the more specific (smaller) pathway, then by id."""
    return sorted(pathways, key=lambda p: (-p.overlap, p.pathway_size, p.pathway_id))


def local_overlaps(genes: Sequence[str], source: str, kb: KnowledgeBase) -> list[PathwayOverlap]:
    index = kb.enrichment_index
    rows = [index.gene_index[g] for g in genes if g in index.gene_index]
    if not rows:
        return []
    counts = index.matrix[rows].sum(axis=0).A1
    query = set(genes)
    found = []
    for j in counts.nonzero()[0]:
        if index.sources[j] != source:
            continue
        pid = index.ids[j]
        members = index.gene_sets[pid]
        found.append(PathwayOverlap(
            pathway_id=pid, source=source, name=index.names[pid], overlap_genes=tuple(sorted(query & members)),
            overlap=int(counts[j]), pathway_size=len(members),
        ))
    return found


def lookup_pathways(
    genes: Sequence[str],
    source: str,
    *,
    online: bool,
    kb: KnowledgeBase | None,
    max_results: int,
    fetch_online: OnlineFetch,
) -> PathwayLookup:
    from gene_r1.tools.context import resolve_kb
    from gene_r1.tools.genes import normalise_genes

    if isinstance(max_results, bool) or not isinstance(max_results, int) or max_results < 1:
        raise ToolInputError(f"max_results must be a positive whole number, not {max_results!r}.")
    kb = resolve_kb(kb)
    normalisation = normalise_genes(genes, kb=kb)
    warnings = []
    if normalisation.unknown:
        warnings.append(f"Unknown symbols left out: {', '.join(normalisation.unknown)}.")
    if normalisation.ambiguous:
        warnings.append(f"Ambiguous symbols left out: {', '.join(text for text, _ in normalisation.ambiguous)}.")
    symbols = list(normalisation.genes)
    if online and symbols:
        try:
            found = fetch_online(symbols)
        except OnlineServiceError as error:
            message = f"{error} Falling back to the local {source} snapshot."
            log.warning(message)
            warnings.append(message)
        else:
            return PathwayLookup(source, "online", tuple(rank_by_overlap(found)[:max_results]), normalisation,
                                 tuple(warnings))
    found = local_overlaps(symbols, source, kb)
    return PathwayLookup(source, "local", tuple(rank_by_overlap(found)[:max_results]), normalisation, tuple(warnings))
