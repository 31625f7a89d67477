"""Experiment outputs as gene sets: GMT files, gene-set tables, differential-expression tables, markers.

Each reader takes one kind of file; `read_gene_sets` picks the reader from the extension and header, or
from an explicit `fmt`. Malformed input raises `InputFileError` with the line or column at fault.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

FORMATS = ("auto", "gmt", "sets", "de", "markers")
GENE_COLUMNS = ("gene", "genes", "symbol", "gene_symbol", "names", "gene_name", "genename", "feature")
LFC_COLUMNS = ("log2foldchange", "log2fc", "logfc", "logfoldchanges", "avg_log2fc", "log2_fold_change")
PADJ_COLUMNS = (
    "padj",
    "adj.p.val",
    "fdr",
    "pvals_adj",
    "p_adj",
    "p_val_adj",
    "qvalue",
    "q_value",
    "adj_pval",
)
CONTRAST_COLUMNS = ("contrast", "comparison", "coef")
GROUP_COLUMNS = ("group", "cluster", "groups")
SCORE_COLUMNS = ("scores", "score", "logfoldchanges", "avg_log2fc")
SET_MEMBER_COLUMNS = ("genes", "members", "gene_set", "gene_list")


class InputFileError(ValueError):
    """A file that cannot be read as gene sets; the message says where and why."""


@dataclass(frozen=True)
class GeneSetInput:
    id: str
    genes: tuple[str, ...]
    description: str = ""


@dataclass(frozen=True)
class Thresholds:
    padj: float = 0.05
    log2fc: float = 1.0
    max_genes: int = 200
    top_n: int = 50


def read_gene_sets(path: Path, fmt: str = "auto", thresholds: Thresholds = Thresholds()) -> list[GeneSetInput]:
    if fmt not in FORMATS:
        raise InputFileError(f"Unknown format {fmt!r}; choose one of {', '.join(FORMATS)}.")
    if not path.is_file():
        raise InputFileError(f"No such file: {path}")
    if fmt == "auto":
        fmt = detect_format(path)
    readers = {"gmt": read_gmt, "sets": read_set_table, "de": read_de_table, "markers": read_marker_table}
    sets = readers[fmt](path) if fmt in ("gmt", "sets") else readers[fmt](path, thresholds)
    if not sets:
        raise InputFileError(f"{path} holds no gene sets (format {fmt}).")
    return unique_ids(sets)


def detect_format(path: Path) -> str:
    if path.suffix.lower() == ".gmt":
        return "gmt"
    columns = {c.lower() for c in _read_table(path, nrows=0).columns}
    if columns & set(GROUP_COLUMNS) and "names" in columns:
        return "markers"
    if columns & set(LFC_COLUMNS) and columns & set(PADJ_COLUMNS):
        return "de"
    if columns & set(SET_MEMBER_COLUMNS):
        return "sets"
    raise InputFileError(
        f"Cannot tell what {path.name} holds from its columns ({', '.join(sorted(columns)) or 'none'}). "
        "Expected a .gmt file, a gene-set table (id + genes columns), a differential-expression table "
        "(gene, log2FC, adjusted p) or a marker table (group, names, scores, pvals_adj); or pass --format."
    )


def read_gmt(path: Path) -> list[GeneSetInput]:
    sets = []
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.rstrip("\n").split("\t")
        genes = tuple(g.strip() for g in fields[2:] if g.strip())
        if len(fields) < 3 or not fields[0].strip() or not genes:
            raise InputFileError(
                f"{path.name}, line {number}: a GMT line needs a name, a description and at least one gene, "
                "separated by tabs."
            )
        sets.append(GeneSetInput(id=fields[0].strip(), genes=genes, description=fields[1].strip()))
    return sets


def read_set_table(path: Path) -> list[GeneSetInput]:
    table = _read_table(path)
    members = _column(table, SET_MEMBER_COLUMNS, path, "genes")
    id_column = next((c for c in table.columns if c != members), None)
    name_column = next((c for c in table.columns if c.lower() in ("name", "name_new", "term_description")), None)
    sets = []
    for number, row in enumerate(table.itertuples(index=False), 2):
        values = dict(zip(table.columns, row, strict=True))
        genes = tuple(g for g in re.split(r"[,;\s]+", str(values[members] or "")) if g and g != "nan")
        if not genes:
            raise InputFileError(f"{path.name}, row {number}: no genes in column {members!r}.")
        set_id = str(values[id_column]) if id_column else f"set{number - 1}"
        description = str(values[name_column]) if name_column else ""
        sets.append(GeneSetInput(id=set_id, genes=genes, description=description))
    return sets


def read_de_table(path: Path, thresholds: Thresholds) -> list[GeneSetInput]:
    table = _read_table(path)
    gene = _column(table, GENE_COLUMNS, path, "gene")
    lfc = _column(table, LFC_COLUMNS, path, "log2 fold change")
    padj = _column(table, PADJ_COLUMNS, path, "adjusted p-value")
    contrast = next((c for c in table.columns if c.lower() in CONTRAST_COLUMNS), None)
    table = _numeric(table, [lfc, padj], path)
    groups = table.groupby(contrast, sort=True) if contrast else [(path.stem, table)]
    sets = []
    for name, rows in groups:
        significant = rows[rows[padj] < thresholds.padj]
        for direction, selected in (
            ("up", significant[significant[lfc] >= thresholds.log2fc]),
            ("down", significant[significant[lfc] <= -thresholds.log2fc]),
        ):
            ranked = selected.sort_values(padj, kind="stable").head(thresholds.max_genes)
            genes = tuple(dict.fromkeys(str(g) for g in ranked[gene]))
            if genes:
                sets.append(
                    GeneSetInput(
                        id=f"{name}:{direction}",
                        genes=genes,
                        description=f"{direction}-regulated in {name} (adj. p < {thresholds.padj}, "
                        f"|log2FC| >= {thresholds.log2fc})",
                    )
                )
    return sets


def read_marker_table(path: Path, thresholds: Thresholds) -> list[GeneSetInput]:
    table = _read_table(path)
    group = _column(table, GROUP_COLUMNS, path, "group")
    names = _column(table, ("names",) + GENE_COLUMNS, path, "names")
    score = _column(table, SCORE_COLUMNS, path, "scores")
    padj = next((c for c in table.columns if c.lower() in PADJ_COLUMNS), None)
    table = _numeric(table, [score] + ([padj] if padj else []), path)
    sets = []
    for name, rows in table.groupby(group, sort=True):
        if padj:
            rows = rows[rows[padj] < thresholds.padj]
        top = rows.sort_values(score, ascending=False, kind="stable").head(thresholds.top_n)
        genes = tuple(dict.fromkeys(str(g) for g in top[names]))
        if genes:
            sets.append(
                GeneSetInput(id=f"cluster {name}", genes=genes, description=f"top {len(genes)} markers of group {name}")
            )
    return sets


def unique_ids(sets: Sequence[GeneSetInput]) -> list[GeneSetInput]:
    """Repeated ids get a numbered suffix, so results can be keyed by id."""
    seen: dict[str, int] = {}
    unique = []
    for item in sets:
        count = seen.get(item.id, 0)
        seen[item.id] = count + 1
        unique.append(item if count == 0 else GeneSetInput(f"{item.id}#{count + 1}", item.genes, item.description))
    return unique


def _read_table(path: Path, nrows: int | None = None) -> pd.DataFrame:
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            header = handle.readline()
        delimiter = "\t" if header.count("\t") > header.count(",") else ","
        return pd.read_csv(path, sep=delimiter, nrows=nrows, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error, UnicodeError) as error:
        raise InputFileError(f"{path.name} is not a readable CSV/TSV table: {error}") from error


def _column(table: pd.DataFrame, names: Sequence[str], path: Path, what: str) -> str:
    for column in table.columns:
        if column.lower() in names:
            return column
    raise InputFileError(
        f"{path.name} has no {what} column (looked for {', '.join(names)}; found {', '.join(table.columns)})."
    )


def _numeric(table: pd.DataFrame, columns: Sequence[str], path: Path) -> pd.DataFrame:
    table = table.copy()
    for column in columns:
        converted = pd.to_numeric(table[column], errors="coerce")
        bad = converted.isna() & (table[column].str.strip() != "") & (table[column].str.upper() != "NA")
        if bad.any():
            row = int(bad.idxmax()) + 2
            raise InputFileError(
                f"{path.name}, row {row}: {column!r} is not a number ({table[column][bad.idxmax()]!r})."
            )
        table[column] = converted
    return table.dropna(subset=list(columns))
