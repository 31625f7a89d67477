"""Themes: groups of significant pathways that cover different genes of the set.

A differential-expression block or a cluster's markers often hold more than one function (interferon response and
cholesterol synthesis in one list). The significant, specific pathways (`agent.explained.explaining_rows`: FDR at
most 0.05, at most 500 genes, at least two of the set's genes) are clustered the way the field does it — DAVID's
functional annotation clustering and EnrichmentMap group terms by the overlap of their gene sets — here by the
overlap coefficient of the *set's genes* each pathway holds (|A ∩ B| / min(|A|, |B|)), average linkage
(`scipy.cluster.hierarchy`, already a dependency; no enrichment-map library runs without a GUI or R), cut at
similarity 0.5 (EnrichmentMap's default overlap cut-off). A theme whose genes a stronger theme already holds
(`REDUNDANT`) is dropped; at most `MAX_THEMES` are reported, strongest first (best p, then more genes).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from gene_r1.agent.explained import explaining_rows

MAX_THEMES = 5
LINK_SIMILARITY = 0.5
REDUNDANT = 0.8  # share of a theme's genes already in a stronger theme


@dataclass(frozen=True)
class PathwayGroup:
    """A theme before it is named: its evidence rows (strongest first) and the genes they cover."""

    rows: tuple[Mapping, ...]
    genes: tuple[str, ...]

    @property
    def best_p(self) -> float:
        return min(row["p_value"] for row in self.rows)

    @property
    def best_fdr(self) -> float:
        return min(row["fdr"] for row in self.rows)

    @property
    def pathway_ids(self) -> list[str]:
        return [row["pathway_id"] for row in self.rows]


def overlap_coefficients(gene_sets: Sequence[frozenset[str]]) -> np.ndarray:
    n = len(gene_sets)
    out = np.eye(n)
    for i in range(n):
        for j in range(i + 1, n):
            shared = len(gene_sets[i] & gene_sets[j])
            out[i, j] = out[j, i] = shared / max(1, min(len(gene_sets[i]), len(gene_sets[j])))
    return out


def cluster_rows(rows: Sequence[Mapping]) -> list[list[int]]:
    """Indices of `rows` grouped by shared genes (average linkage on 1 - overlap coefficient, cut at 0.5)."""
    if len(rows) < 2:
        return [list(range(len(rows)))] if rows else []
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    similarity = overlap_coefficients([frozenset(row["overlap_genes"]) for row in rows])
    distance = squareform(1.0 - similarity, checks=False)
    labels = fcluster(linkage(distance, method="average"), t=1.0 - LINK_SIMILARITY, criterion="distance")
    groups: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        groups.setdefault(int(label), []).append(i)
    return list(groups.values())


def pathway_groups(genes: Sequence[str], evidence: Sequence[Mapping],
                   fdr_threshold: float = 0.05) -> list[PathwayGroup]:
    """The set's themes before naming, strongest first; redundant ones dropped; at most MAX_THEMES."""
    rows = explaining_rows([r for r in evidence if r.get("kind", "enrichment") == "enrichment"],
                           fdr_threshold=fdr_threshold, min_overlap=min(2, len(set(genes))))
    groups = []
    for members in cluster_rows(rows):
        chosen = sorted((rows[i] for i in members), key=lambda r: (r["p_value"], -len(r["overlap_genes"])))
        covered = {g for r in chosen for g in r["overlap_genes"]}
        groups.append(PathwayGroup(tuple(chosen), tuple(g for g in dict.fromkeys(genes) if g in covered)))
    groups.sort(key=lambda g: (g.best_p, -len(g.genes), g.rows[0]["pathway_id"]))
    kept: list[PathwayGroup] = []
    for group in groups:
        held = {g for k in kept for g in k.genes}
        if kept and sum(g in held for g in group.genes) >= REDUNDANT * len(group.genes):
            continue
        kept.append(group)
        if len(kept) == MAX_THEMES:
            break
    return kept


def log_p(value: float | None) -> float:
    return -math.log10(max(value, 1e-300)) if value is not None else 0.0
