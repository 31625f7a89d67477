"""Grounded candidates: the names a final answer may take, each one a pathway of the evidence.

The judge (the feature ranker, then the model) chooses among these; it never writes a name of its own, so every
name, id, count and FDR a user reads comes from a row of the evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, TypedDict

from gene_r1.agent.state import EvidenceRow


class Candidate(TypedDict):
    """One evidence pathway offered as the answer. `number` is its place in the list the judge was shown (1-based,
    best first by the feature ranker); `probability` the judge's share of belief in it."""

    number: int
    name: str
    pathway_id: str
    source: str
    kind: Literal["enrichment", "search"]
    overlap_genes: list[str]
    pathway_size: int
    p_value: float | None
    fdr: float | None
    enrichment_rank: int | None  # 1-based rank among the enrichment hits; None for a search-only hit
    ranker_score: float
    probability: float


def candidate_pool(evidence: Sequence[EvidenceRow], search_hits: Sequence[EvidenceRow], k: int) -> list[Candidate]:
    """The top `k` enrichment hits, then the search hits, one per pathway and per (case-folded) name."""
    pool: list[Candidate] = []
    seen_ids: set[str] = set()
    seen_names: set[str] = set()
    ranked = [(row, i + 1) for i, row in enumerate(evidence[:k])] + [(row, None) for row in search_hits]
    for row, rank in ranked:
        key = " ".join(row["name"].lower().split())
        if row["pathway_id"] in seen_ids or key in seen_names:
            continue
        seen_ids.add(row["pathway_id"])
        seen_names.add(key)
        pool.append(
            Candidate(
                number=0,
                name=row["name"],
                pathway_id=row["pathway_id"],
                source=row["source"],
                kind="enrichment" if rank is not None else "search",
                overlap_genes=list(row["overlap_genes"]),
                pathway_size=int(row["pathway_size"]),
                p_value=row["p_value"],
                fdr=row["fdr"],
                enrichment_rank=rank if rank is not None else _rank_of(row["pathway_id"], evidence),
                ranker_score=0.0,
                probability=0.0,
            )
        )
    return pool


def _rank_of(pathway_id: str, evidence: Sequence[EvidenceRow]) -> int | None:
    for i, row in enumerate(evidence):
        if row["pathway_id"] == pathway_id:
            return i + 1
    return None


def numbered(pool: Sequence[Candidate], scores: Sequence[float]) -> list[Candidate]:
    """The pool ordered by score (ties: enrichment rank, then id), numbered 1..n in that order."""
    order = sorted(
        range(len(pool)),
        key=lambda i: (-scores[i], pool[i]["enrichment_rank"] or 10**6, pool[i]["pathway_id"]),
    )
    return [{**pool[i], "number": n, "ranker_score": float(scores[i])} for n, i in enumerate(order, start=1)]
