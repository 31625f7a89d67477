"""Which genes of a set the evidence explains, and which it leaves unexplained.

A gene counts as explained only by a pathway that is significant (FDR at most the threshold) and specific: large
pathways ("Immune System", 2,161 genes; "Metabolism", 2,000+) contain a fifth of all genes, so any random gene of
a set lands in one once the set's real signal makes them significant. Specificity is a size cap on the pathway
(genes inside the background).

The cap was chosen with `benchmarks/unexplained_rule.py`: 300 GO terms (10-100 genes) outside every benchmark and
reserved id, each with random noise genes planted (a quarter of its size), enriched against Reactome +
WikiPathways (the top 50 hits, as the agent keeps them); a rule should flag the noise genes as unexplained and keep
the term's own genes (those in any pathway) explained. Over all significant hits (seed 7 / 11 / 23):

    rule                    noise flagged          members kept           J = flagged + kept - 1
    any size                0.72 / 0.72 / 0.73     0.83 / 0.82 / 0.82     0.55 / 0.54 / 0.55
    size <= 1000            0.80 / 0.81 / 0.80     0.79 / 0.78 / 0.79     0.60 / 0.59 / 0.58
    size <= 500             0.83 / 0.83 / 0.83     0.78 / 0.77 / 0.77     0.60 / 0.60 / 0.60
    size <= 300             0.84 / 0.85 / 0.85     0.76 / 0.75 / 0.75     0.61 / 0.60 / 0.60
    size <= 100             0.89 / 0.90 / 0.89     0.68 / 0.67 / 0.65     0.57 / 0.57 / 0.54

    size <= 500, overlap >= 2   0.84 (seed 7)   0.77                   0.615
    size <= 300, overlap >= 2   0.86 (seed 7)   0.76                   0.617

A cap of 300-500 is best and flat; 500 keeps more true members. A pathway that shares a single gene with the set
says nothing about that gene acting with the others (one gene in a 5-gene drug pathway is "significant" for a small
set): requiring an overlap of two raises J further (0.604 -> 0.615), so it is the default.
Rules relative to the set (odds ratio >= 3..20;
expected chance overlap size * |set| / background <= 0.5..2) were no better (J <= 0.60), and using only the top 20
rows instead of all significant ones lowers J (0.59 at 500), so callers should pass every enrichment row they hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from gene_r1.tools.thresholds import SIGNIFICANT_FDR

# Genes inside the background; chosen on the GO dev split (module docstring).
DEFAULT_MAX_PATHWAY_SIZE = 500
DEFAULT_FDR_THRESHOLD = SIGNIFICANT_FDR
DEFAULT_MIN_OVERLAP = 2


@dataclass(frozen=True)
class Explanation:
    """Genes in input order: those some specific, significant pathway contains, and the rest."""

    explained: tuple[str, ...]
    unexplained: tuple[str, ...]


def explaining_rows(
    evidence_rows: Iterable[Mapping],
    *,
    fdr_threshold: float = DEFAULT_FDR_THRESHOLD,
    max_pathway_size: int | None = DEFAULT_MAX_PATHWAY_SIZE,
    min_overlap: int = DEFAULT_MIN_OVERLAP,
) -> list[Mapping]:
    """The rows allowed to explain genes: FDR known and <= threshold, pathway no larger than the cap, sharing at
    least `min_overlap` genes with the set."""
    return [
        row
        for row in evidence_rows
        if row.get("fdr") is not None
        and row["fdr"] <= fdr_threshold
        and (max_pathway_size is None or row.get("pathway_size", 0) <= max_pathway_size)
        and len(row.get("overlap_genes", ())) >= min_overlap
    ]


def explained_genes(
    genes: Sequence[str],
    evidence_rows: Iterable[Mapping],
    *,
    fdr_threshold: float = DEFAULT_FDR_THRESHOLD,
    max_pathway_size: int | None = DEFAULT_MAX_PATHWAY_SIZE,
    min_overlap: int = DEFAULT_MIN_OVERLAP,
    also_explained: Iterable[str] = (),
) -> Explanation:
    """Split `genes` into explained and unexplained.

    `evidence_rows` are evidence rows (`agent.state.EvidenceRow`: overlap_genes, pathway_size, fdr); search hits
    without an FDR never explain. `also_explained` adds genes explained another way (e.g. the genes a verified
    name rests on), which the caller vouches for.
    """
    rows = explaining_rows(evidence_rows, fdr_threshold=fdr_threshold, max_pathway_size=max_pathway_size,
                           min_overlap=min(min_overlap, len(set(genes))))
    covered = {gene for row in rows for gene in row.get("overlap_genes", ())} | set(also_explained)
    ordered = list(dict.fromkeys(genes))
    return Explanation(
        explained=tuple(g for g in ordered if g in covered),
        unexplained=tuple(g for g in ordered if g not in covered),
    )
