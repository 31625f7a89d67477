"""`reactome_pathways`: Reactome pathways containing the genes, from the local store or Reactome's AnalysisService."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from gene_r1.tools.errors import OnlineServiceError
from gene_r1.tools.http import HttpPolicy, request_json
from gene_r1.tools.overlap import DEFAULT_MAX_RESULTS, PathwayLookup, PathwayOverlap, lookup_pathways

if TYPE_CHECKING:
    from gene_r1.tools.context import KnowledgeBase

REACTOME_ANALYSIS_URL = "https://reactome.org/AnalysisService"
SERVICE = "Reactome's AnalysisService"


def reactome_pathways(
    genes: Sequence[str],
    *,
    online: bool = False,
    kb: KnowledgeBase | None = None,
    max_results: int = DEFAULT_MAX_RESULTS,
    base_url: str = REACTOME_ANALYSIS_URL,
    policy: HttpPolicy = HttpPolicy(),
) -> PathwayLookup:
    """Reactome pathways holding the most of `genes`. `online=True` asks reactome.org (falls back to local)."""
    return lookup_pathways(
        genes, "reactome", online=online, kb=kb, max_results=max_results,
        fetch_online=lambda symbols: fetch_reactome(symbols, base_url=base_url, page_size=max_results, policy=policy),
    )


def fetch_reactome(
    genes: Sequence[str], *, base_url: str = REACTOME_ANALYSIS_URL, page_size: int = DEFAULT_MAX_RESULTS,
    policy: HttpPolicy = HttpPolicy(),
) -> list[PathwayOverlap]:
    """Over-representation on reactome.org (human projection), most found genes first, with the genes found."""
    base = base_url.rstrip("/")
    result = request_json(
        "POST", f"{base}/identifiers/projection", policy=policy, service=SERVICE, data="\n".join(genes),
        params={"pageSize": page_size, "page": 1, "sortBy": "FOUND_ENTITIES", "order": "DESC",
                "resource": "TOTAL", "interactors": "false", "includeDisease": "true"},
    )
    try:
        token = result["summary"]["token"]
        rows = list(result.get("pathways") or [])
    except (KeyError, TypeError, AttributeError) as error:
        raise OnlineServiceError(f"{SERVICE} answered without the expected 'summary.token'/'pathways'.") from error
    if not rows:
        return []
    found = request_json(
        "POST", f"{base}/token/{token}/found/all", policy=policy, service=SERVICE,
        data=",".join(str(row.get("stId", "")) for row in rows), params={"resource": "TOTAL"},
    )
    found_genes = _found_genes(found, set(genes))
    return [_overlap(row, found_genes) for row in rows]


def _found_genes(found: Any, query: set[str]) -> dict[str, tuple[str, ...]]:
    """pathway stId -> the submitted identifiers found in it (upper-cased to match the query symbols)."""
    if not isinstance(found, list):
        raise OnlineServiceError(f"{SERVICE} answered 'found/all' with something other than a list.")
    upper = {g.upper(): g for g in query}
    by_pathway = {}
    for item in found:
        ids = {str(e.get("id", "")).upper() for e in item.get("entities") or []}
        by_pathway[str(item.get("pathway", ""))] = tuple(sorted(upper[i] for i in ids if i in upper))
    return by_pathway


def _overlap(row: dict, found_genes: dict[str, tuple[str, ...]]) -> PathwayOverlap:
    try:
        entities = row["entities"]
        pathway_id = str(row["stId"])
        p_value = entities.get("pValue", entities.get("getpValue"))
        genes = found_genes.get(pathway_id, ())
        return PathwayOverlap(
            pathway_id=pathway_id, source="reactome", name=str(row["name"]), overlap_genes=genes,
            overlap=int(entities.get("found", len(genes))), pathway_size=int(entities.get("total", 0)),
            p_value=float(p_value) if p_value is not None else None,
            fdr=float(entities["fdr"]) if entities.get("fdr") is not None else None,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise OnlineServiceError(f"{SERVICE} answered a pathway in an unexpected shape ({error!r}).") from error
