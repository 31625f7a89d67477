"""`wikipathways_pathways`: WikiPathways pathways containing the genes, from the local store or wikipathways.org.

WikiPathways retired its SOAP/REST web service in 2023; its JSON API is a set of static files. `findPathwaysByXref.json`
lists every pathway with its HGNC symbols (and other xrefs), so the online lookup fetches it once per process and
filters it locally.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from gene_r1.tools.errors import OnlineServiceError
from gene_r1.tools.http import HttpPolicy, request_json
from gene_r1.tools.overlap import DEFAULT_MAX_RESULTS, PathwayLookup, PathwayOverlap, lookup_pathways

if TYPE_CHECKING:
    from gene_r1.tools.context import KnowledgeBase

WIKIPATHWAYS_URL = "https://www.wikipathways.org"
XREF_FILE = "json/findPathwaysByXref.json"
SERVICE = "WikiPathways' JSON API"
SPECIES = "Homo sapiens"
_SPLIT = re.compile(r"[,;]")
_catalogues: dict[str, list[tuple[str, str, frozenset[str]]]] = {}
_lock = threading.Lock()


def wikipathways_pathways(
    genes: Sequence[str],
    *,
    online: bool = False,
    kb: KnowledgeBase | None = None,
    max_results: int = DEFAULT_MAX_RESULTS,
    base_url: str = WIKIPATHWAYS_URL,
    policy: HttpPolicy = HttpPolicy(),
) -> PathwayLookup:
    """WikiPathways pathways holding the most of `genes`. `online=True` asks wikipathways.org (falls back to local)."""
    return lookup_pathways(
        genes, "wikipathways", online=online, kb=kb, max_results=max_results,
        fetch_online=lambda symbols: fetch_wikipathways(symbols, base_url=base_url, policy=policy),
    )


def fetch_wikipathways(
    genes: Sequence[str], *, base_url: str = WIKIPATHWAYS_URL, policy: HttpPolicy = HttpPolicy()
) -> list[PathwayOverlap]:
    """Current human WikiPathways pathways containing any of `genes` (HGNC symbols)."""
    upper = {g.upper(): g for g in genes}
    found = []
    for pathway_id, name, symbols in _catalogue(base_url, policy):
        hits = tuple(sorted(upper[s] for s in symbols if s in upper))
        if hits:
            found.append(PathwayOverlap(pathway_id, "wikipathways", name, hits, len(hits), len(symbols)))
    return found


def _catalogue(base_url: str, policy: HttpPolicy) -> list[tuple[str, str, frozenset[str]]]:
    url = f"{base_url.rstrip('/')}/{XREF_FILE}"
    with _lock:
        cached = _catalogues.get(url)
    if cached is not None:
        return cached
    document = request_json("GET", url, policy=policy, service=SERVICE)
    rows = document.get("pathwayInfo") if isinstance(document, dict) else None
    if not isinstance(rows, list):
        raise OnlineServiceError(f"{SERVICE} answered {url} without a 'pathwayInfo' list.")
    catalogue = []
    for row in rows:
        if not isinstance(row, dict) or SPECIES not in str(row.get("species", "")):
            continue
        symbols = frozenset(
            s.strip().removeprefix("hgnc.symbol:").upper() for s in _SPLIT.split(str(row.get("hgnc", ""))) if s.strip()
        )
        if row.get("id") and symbols:
            catalogue.append((str(row["id"]), str(row.get("name", row["id"])), symbols))
    with _lock:
        _catalogues[url] = catalogue
    return catalogue
