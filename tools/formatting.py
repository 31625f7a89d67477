"""Numbers as people read them: one place decides how an FDR (or any p-value-like number) is printed."""

from __future__ import annotations

MISSING = "—"


def fdr_text(value: float | None, missing: str = MISSING, spec: str = ".2g") -> str:
    """`value` with two significant digits (`spec` for another format), or `missing` when it was not tested."""
    return missing if value is None else format(value, spec)


# What `tools.enrichment_index.EnrichmentIndex.enrich` computes (its BH family is the sets sharing a gene with the
# query), said wherever an FDR is shown: a reader cannot otherwise tell it from a correction over every pathway.
FDR_CONVENTION = (
    "FDR: Benjamini–Hochberg over the pathways that share at least one gene with the set (gseapy's convention)"
)


def count_text(count: int, noun: str, plural: str | None = None) -> str:
    """`1 gene`, `8 genes`: a count with its noun in the right number (`plural` for irregular nouns)."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"
