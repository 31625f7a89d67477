"""Semantic search over pathway documents (`knowledge_base.index`), optionally restricted to pathways holding given
genes.

Ranking is hybrid: the dense cosine similarity of MiniLM embeddings, blended with how much of the query's
vocabulary the pathway's name covers (words weighted by their rarity among pathway names). MiniLM alone rates
"DNA repair" closer to "DNA mismatch repair" than "Mismatch repair" is; the rare word "mismatch" should decide.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from gene_r1.knowledge_base.documents import document_of
from gene_r1.knowledge_base.store import EVIDENCE_SOURCES
from gene_r1.tools.errors import ToolInputError
from gene_r1.tools.lexicon import Lexicon, words

if TYPE_CHECKING:
    from gene_r1.tools.context import KnowledgeBase

__all__ = ["Lexicon", "SearchHit", "search_pathways", "words"]

MAX_K = 100
MAX_QUERY_CHARS = 2_000
LEXICAL_WEIGHT = 0.3
CANDIDATES = 50  # dense neighbours re-ranked per query (at least 10 x k)


@dataclass(frozen=True)
class SearchHit:
    pathway_id: str
    source: str
    name: str
    score: float  # (1 - w) * cosine similarity + w * name coverage of the query's words, w = LEXICAL_WEIGHT
    snippet: str
    similarity: float = 0.0  # the cosine similarity of query and document alone


def search_pathways(
    text: str,
    k: int = 5,
    *,
    genes: Sequence[str] | None = None,
    kb: KnowledgeBase | None = None,
    exclude_ids: Collection[str] = (),
    sources: Sequence[str] | None = None,
) -> list[SearchHit]:
    """The `k` pathways whose documents best match `text`; with `genes`, only pathways containing one of them."""
    from gene_r1.tools.context import resolve_kb
    from gene_r1.tools.enrichment import check_sources

    query = _check_query(text, k)
    kb = resolve_kb(kb)
    index = kb.enrichment_index
    if sources is not None:
        sources = check_sources(sources, index.source_names)
    allowed = _allowed_ids(kb, genes, sources, exclude_ids)
    if allowed is not None and not allowed:
        return []
    vectors = kb.index
    if allowed is not None:
        rows = np.array(sorted(vectors.row_of[pid] for pid in allowed if pid in vectors.row_of), dtype=np.int64)
    elif sources is not None:
        rows = np.flatnonzero(np.isin(vectors.sources, list(sources)))
    else:
        rows = np.arange(len(vectors))
    query_vector = kb.embed([query])[0]  # a pathway's name is read from the index; other text loads the embedder
    similarities = vectors.vectors[rows] @ query_vector
    nearest = np.argsort(-similarities, kind="stable")[: max(CANDIDATES, 10 * k)]  # exact: every row is scanned
    lexicon = kb.lexicon
    query_words = words(query)
    hits = []
    for i in nearest:
        pid = str(vectors.ids[rows[i]])
        if pid in exclude_ids:
            continue
        similarity = float(similarities[i])
        score = (1 - LEXICAL_WEIGHT) * similarity + LEXICAL_WEIGHT * lexicon.coverage(query_words, pid)
        hits.append(SearchHit(pathway_id=pid, source=str(vectors.sources[rows[i]]), name=str(vectors.names[rows[i]]),
                              score=round(score, 6), snippet="", similarity=round(similarity, 6)))
    hits.sort(key=lambda h: (-h.score, h.pathway_id))
    return [replace(hit, snippet=_snippet(_document(kb, hit.pathway_id))) for hit in hits[:k]]


def _document(kb: KnowledgeBase, pathway_id: str) -> str:
    pathway = kb.store.pathway(pathway_id)
    return document_of(kb.store, pathway) if pathway is not None else ""


def _check_query(text: str, k: int) -> str:
    if not isinstance(text, str):
        raise ToolInputError(f"The search text must be a string, not {type(text).__name__}.")
    query = " ".join(text.split())
    if not query:
        raise ToolInputError("The search text is empty: describe a process, e.g. 'DNA mismatch repair'.")
    if len(query) > MAX_QUERY_CHARS:
        raise ToolInputError(f"The search text is {len(query)} characters; keep it under {MAX_QUERY_CHARS}.")
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise ToolInputError(f"k must be a whole number from 1 to {MAX_K}, not {k!r}.")
    return query


def _allowed_ids(
    kb: KnowledgeBase, genes: Sequence[str] | None, sources: Sequence[str] | None, exclude_ids: Collection[str]
) -> set[str] | None:
    """Pathway ids the search may return, or None when unrestricted (filtered by Chroma's `where` instead)."""
    if genes is None:
        return None
    from gene_r1.tools.genes import normalise_genes

    index = kb.enrichment_index
    symbols = normalise_genes(genes, kb=kb).genes
    rows = [index.gene_index[g] for g in symbols if g in index.gene_index]
    if not rows:
        return set()
    overlapping = index.matrix[rows].sum(axis=0).nonzero()[1]
    # Only Reactome and WikiPathways are in the search index (opt-in GO is enrichment-only): Chroma refuses unknown ids.
    wanted = set(sources or EVIDENCE_SOURCES) & set(EVIDENCE_SOURCES)
    return {index.ids[j] for j in overlapping if index.sources[j] in wanted and index.ids[j] not in exclude_ids}


def _snippet(document: str, limit: int = 240) -> str:
    flat = " ".join(document.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
