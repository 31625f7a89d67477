"""`pathway_details`: what the knowledge base knows about one pathway."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gene_r1.tools.errors import ToolInputError, UnknownPathwayError

if TYPE_CHECKING:
    from gene_r1.tools.context import KnowledgeBase


@dataclass(frozen=True)
class PathwayRef:
    pathway_id: str
    name: str


@dataclass(frozen=True)
class PathwayDetails:
    pathway_id: str
    source: str
    name: str
    description: str
    url: str
    parents: tuple[PathwayRef, ...]
    children: tuple[PathwayRef, ...]
    genes: tuple[str, ...]
    size: int


def pathway_details(pathway_id: str, kb: KnowledgeBase | None = None) -> PathwayDetails:
    """Name, source, description, parents, children and member genes of `pathway_id` (e.g. R-HSA-5358508, WP531)."""
    from gene_r1.tools.context import resolve_kb

    if not isinstance(pathway_id, str) or not pathway_id.strip():
        raise ToolInputError("Give a pathway id, e.g. R-HSA-5358508 (Reactome) or WP531 (WikiPathways).")
    kb = resolve_kb(kb)
    wanted = pathway_id.strip()
    pathway = kb.store.pathway(wanted) or kb.store.pathway(wanted.upper())
    if pathway is None:
        close = difflib.get_close_matches(wanted.upper(), kb.enrichment_index.ids, n=3, cutoff=0.8)
        hint = f" Did you mean {', '.join(close)}?" if close else " Find ids with search_pathways or enrich."
        raise UnknownPathwayError(f"No pathway {wanted!r} in the knowledge base.{hint}")
    return PathwayDetails(
        pathway_id=pathway.id, source=pathway.source, name=pathway.name, description=pathway.description,
        url=pathway.url, parents=_refs(kb, pathway.parents), children=_refs(kb, kb.store.children(pathway.id)),
        genes=pathway.genes, size=len(pathway.genes),
    )


def _refs(kb: KnowledgeBase, ids: tuple[str, ...] | list[str]) -> tuple[PathwayRef, ...]:
    refs = []
    for pid in ids:
        other = kb.store.pathway(pid)
        refs.append(PathwayRef(pid, other.name if other else ""))
    return tuple(refs)
