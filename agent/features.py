"""Per-candidate features for the feature ranker: cheap numbers about each grounded candidate and its place among
the others. Pure functions of the candidates, their name embeddings and the projection shipped with the ranker.

The strongest signal (measured in a pilot, issue 9) is how central a name is among the evidence: a name close to
the mean of the top hits' names summarises what several pathways share.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gene_r1.agent.candidates import Candidate
from gene_r1.tools.thresholds import RIGHT_NAME_COSINE

EVIDENCE_FEATURES = (
    "enrichment_rank",
    "is_search",
    "is_reactome",
    "neg_log10_p",
    "neg_log10_fdr",
    "gap_to_best_log10_p",
    "overlap",
    "overlap_share_of_set",
    "overlap_share_of_pathway",
    "log10_pathway_size",
    "name_words",
    "name_has_parenthesis",
    "sim_to_top5_centroid",
    "sim_weighted_mean_others",
    "sim_max_other",
    "centrality_rank",
    "log10_set_size",
    "pool_size",
    "theme_coverage",
    "theme_weighted_overlap",
    "theme_evidence_share",
    "near_names",
    "name_gene_agreement",
    "name_chars",
)
NAME_COMPONENTS = 8  # principal components of the name's embedding: what kind of name it is
FEATURE_NAMES = EVIDENCE_FEATURES + tuple(f"name_pc{i + 1}" for i in range(NAME_COMPONENTS))
NEAR_NAME = RIGHT_NAME_COSINE  # names at cosine above this are one theme (the cut dev labels call "right")
_CAP = 50.0  # -log10 p beyond this says nothing more


def _neg_log10(value: float | None) -> float:
    if value is None:
        return 0.0
    return min(-math.log10(max(value, 1e-300)), _CAP)


@dataclass(frozen=True)
class NameProjection:
    """The leading principal components of the training candidates' name embeddings (fitted by
    `training.judge_train.fit_name_projection`, shipped with the ranker): a few numbers that say what kind of name
    a candidate has (a process, a disease, a drug's pathway, a complex...), so the ranker can learn which kinds
    tend to be the right answer."""

    mean: np.ndarray  # (dim,)
    components: np.ndarray  # (NAME_COMPONENTS, dim)

    def project(self, vectors: np.ndarray) -> np.ndarray:
        return (vectors - self.mean) @ self.components.T


def candidate_features(pool: Sequence[Candidate], set_size: int, name_vectors: np.ndarray,
                       projection: NameProjection) -> np.ndarray:
    """A (len(pool), len(FEATURE_NAMES)) float32 matrix; `name_vectors` are the L2-normalised embeddings of the
    pool's names, in pool order."""
    n = len(pool)
    if n == 0:
        return np.zeros((0, len(FEATURE_NAMES)), dtype=np.float32)
    log_p = np.array([_neg_log10(c["p_value"]) for c in pool])
    log_fdr = np.array([_neg_log10(c["fdr"]) for c in pool])
    similarity = name_vectors @ name_vectors.T
    top = [i for i, c in enumerate(pool) if c["kind"] == "enrichment"][:5] or list(range(min(5, n)))
    centroid = name_vectors[top].mean(axis=0)
    centroid /= max(float(np.linalg.norm(centroid)), 1e-9)
    to_centroid = name_vectors @ centroid
    weights = np.sqrt(np.maximum(log_fdr, 0.0)) + 1e-3
    others = similarity.copy()
    np.fill_diagonal(others, 0.0)
    weighted_others = (others @ weights - 0.0) / np.maximum(weights.sum() - weights, 1e-9)
    max_other = others.max(axis=1) if n > 1 else np.zeros(n)
    centrality_rank = np.argsort(np.argsort(-to_centroid)) + 1
    themes = _theme_features(pool, set_size, similarity, log_p)
    kinds = projection.project(name_vectors)
    rows = []
    for i, c in enumerate(pool):
        overlap = len(c["overlap_genes"])
        rows.append(
            [
                c["enrichment_rank"] if c["enrichment_rank"] is not None else 100.0,
                1.0 if c["kind"] == "search" else 0.0,
                1.0 if c["source"] == "reactome" else 0.0,
                log_p[i],
                log_fdr[i],
                log_p.max() - log_p[i],
                overlap,
                overlap / max(set_size, 1),
                overlap / max(c["pathway_size"], 1),
                math.log10(max(c["pathway_size"], 1)),
                len(c["name"].split()),
                1.0 if "(" in c["name"] else 0.0,
                to_centroid[i],
                weighted_others[i],
                max_other[i],
                centrality_rank[i],
                math.log10(max(set_size, 1)),
                n,
                *themes[i],
                len(c["name"]),
                *kinds[i],
            ]
        )
    return np.asarray(rows, dtype=np.float32)


def _theme_features(pool: Sequence[Candidate], set_size: int, similarity: np.ndarray,
                    log_p: np.ndarray) -> np.ndarray:
    """How much of the set and of the evidence a candidate's theme (itself and the names near it) accounts for:
    the share of the set's genes the theme's pathways cover, the overlaps and -log10 p of the others weighted by
    name similarity, how many names are near, and whether the pathways that share its genes also share its words."""
    n = len(pool)
    size = max(set_size, 1)
    overlaps = [set(c["overlap_genes"]) for c in pool]
    counts = np.array([len(o) for o in overlaps], dtype=np.float64)
    near = similarity > NEAR_NAME
    jaccard = np.array([[len(a & b) / max(len(a | b), 1) for b in overlaps] for a in overlaps])
    others = ~np.eye(n, dtype=bool)
    positive = np.clip(similarity, 0.0, None)
    out = np.zeros((n, 5))
    for i in range(n):
        out[i, 0] = len(set().union(*(overlaps[j] for j in np.flatnonzero(near[i])))) / size
        out[i, 1] = float(similarity[i, others[i]] @ counts[others[i]]) / size
        out[i, 2] = float(positive[i, others[i]] @ log_p[others[i]]) / max(float(log_p.sum()), 1e-9)
        out[i, 3] = float(near[i].sum())
        out[i, 4] = float(np.mean(similarity[i, others[i]] * jaccard[i, others[i]])) if n > 1 else 0.0
    return out
