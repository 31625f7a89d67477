"""Experiment outputs as gene sets: GMT files, gene-set tables, differential-expression tables, markers.

Each reader takes one kind of file; `read_gene_sets` picks the reader from the extension and header, or
from an explicit `fmt`. Malformed input raises `InputFileError` with the line or column at fault.

Tables are read as people's tools write them (`read_table`): Excel (UTF-8 BOM or UTF-16, CRLF, `;` between
columns with decimal commas in European locales, an optional `sep=;` line), R's `write.csv` / `write.table` (quoted
fields, a row-names column whose header is "" or missing) and pandas' `to_csv` (an index column "Unnamed: 0"). A
row-names column holds the genes when no column is named like one (DESeq2's `write.csv(res)`). What cannot be read
safely (a decimal comma in a comma-separated file, numbers in two decimal styles) is refused with the fix.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from gene_r1.agent.batch.thresholds import Thresholds

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
    """One gene set to analyse. DE and marker tables say where it came from: `direction` (up / down / markers),
    `contrast` (the comparison or group) and `cutoffs` (the thresholds that selected its genes)."""

    id: str
    genes: tuple[str, ...]
    description: str = ""
    direction: str = ""
    contrast: str = ""
    cutoffs: str = ""

    def record_fields(self) -> dict[str, str]:
        """What a result record (a results.jsonl line) carries about its input, beside the analysis."""
        return {
            "description": self.description,
            "direction": self.direction,
            "contrast": self.contrast,
            "cutoffs": self.cutoffs,
        }


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
                        direction=direction,
                        contrast=str(name),
                        cutoffs=f"adj. p < {thresholds.padj}, |log2FC| >= {thresholds.log2fc}, "
                        f"at most {thresholds.max_genes} genes by adj. p",
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
            cutoffs = (f"adj. p < {thresholds.padj}, " if padj else "") + f"top {thresholds.top_n} by {score}"
            sets.append(marker_set(f"cluster {name}", genes, f"group {name}", "the rest", cutoffs))
    return sets


def marker_set(set_id: str, genes: tuple[str, ...], group: str, reference: str, cutoffs: str) -> GeneSetInput:
    """A group's top markers as a gene set: one wording for marker tables and scanpy's `rank_genes_groups`."""
    return GeneSetInput(id=set_id, genes=genes, description=f"top {len(genes)} markers of {group}",
                        direction="markers", contrast=f"{group} vs {reference}", cutoffs=cutoffs)


def unique_ids(sets: Sequence[GeneSetInput]) -> list[GeneSetInput]:
    """Repeated ids get a numbered suffix, so results can be keyed by id."""
    seen: dict[str, int] = {}
    unique = []
    for item in sets:
        count = seen.get(item.id, 0)
        seen[item.id] = count + 1
        unique.append(item if count == 0 else replace(item, id=f"{item.id}#{count + 1}"))
    return unique


DELIMITERS = ("\t", ",", ";")
NA_VALUES = frozenset({"", "NA", "NAN", "N/A", "#N/A", "NULL", "NONE", "-"})
_DECIMAL_COMMA = re.compile(r"^[-+]?\d*,\d+([eE][-+]?\d+)?$")
_ROW_NAMES = re.compile(r"^(Unnamed: 0|)$")


def decode_table(data: bytes) -> str:
    """Text of a table file: UTF-16 with a BOM (Excel's "Unicode text"), UTF-8 with or without a BOM, else
    Windows-1252 (Excel's "CSV" on Windows); line endings left to the CSV reader."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def sniff_delimiter(lines: Sequence[str]) -> str:
    """The delimiter that splits the header and the first rows into the same, largest number of fields."""

    def widths(delimiter: str) -> list[int]:
        return [len(fields) for fields in csv.reader(lines, delimiter=delimiter)]

    best, best_width = "\t", 1
    for delimiter in DELIMITERS:
        counts = widths(delimiter)
        consistent = counts and max(counts) - min(counts) <= 1  # write.table's header lacks the row-names field
        if consistent and counts[0] > 0 and max(counts) > best_width:
            best, best_width = delimiter, max(counts)
    return best


def read_table(path: Path, nrows: int | None = None) -> tuple[pd.DataFrame, str]:
    """A table of strings and its delimiter. A row-names column (header "" or "Unnamed: 0", or missing from the
    header as `write.table` writes it) is named "" and kept."""
    try:
        text = decode_table(path.read_bytes())
    except OSError as error:
        raise InputFileError(f"Cannot read {path}: {error}") from error
    lines = text.splitlines()
    explicit = re.fullmatch(r'"?sep=(.)"?', lines[0].strip()) if lines else None
    if explicit:  # Excel's hint line
        lines = lines[1:]
    if not lines or not lines[0].strip():
        raise InputFileError(f"{path.name} is empty: expected a header line and rows.")
    delimiter = explicit.group(1) if explicit else sniff_delimiter(lines[:6])
    header, *_ = csv.reader(lines[:1], delimiter=delimiter)
    first_row = next(csv.reader(lines[1:2], delimiter=delimiter), None)
    if first_row is not None and len(first_row) == len(header) + 1:
        lines[0] = delimiter + lines[0]  # R's write.table: row names have no header field
    try:
        table = pd.read_csv(io.StringIO("\n".join(lines)), sep=delimiter, nrows=nrows, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as error:
        raise InputFileError(
            f"{path.name} is not a readable table (read with {_delimiter_name(delimiter)} between columns): {error}. "
            "Save it as CSV or tab-separated text with one header line."
        ) from error
    table.columns = [str(c).strip() for c in table.columns]
    return table.rename(columns={c: "" for c in table.columns if _ROW_NAMES.match(c)}), delimiter


def _delimiter_name(delimiter: str) -> str:
    return {"\t": "tabs", ",": "commas", ";": "semicolons"}.get(delimiter, repr(delimiter))


def _read_table(path: Path, nrows: int | None = None) -> pd.DataFrame:
    """A table whose row names, if any, became the gene column (when it has none) or were dropped. Its
    delimiter is kept in `attrs` (decimal commas are only read where it makes them unambiguous)."""
    table, delimiter = read_table(path, nrows)
    if "" in table.columns:
        has_genes = any(c.lower() in GENE_COLUMNS + ("names",) for c in table.columns)
        numbered = table[""].astype(str).str.fullmatch(r"\d+").all()  # pandas' or R's default 0.. / 1.. index
        table = table.drop(columns=[""]) if has_genes or numbered else table.rename(columns={"": "gene"})
    table.attrs["delimiter"] = delimiter
    return table


def _column(table: pd.DataFrame, names: Sequence[str], path: Path, what: str) -> str:
    for column in table.columns:
        if column.lower() in names:
            return column
    raise InputFileError(
        f"{path.name} has no {what} column (looked for {', '.join(names)}; found {', '.join(table.columns)})."
    )


def _numeric(table: pd.DataFrame, columns: Sequence[str], path: Path) -> pd.DataFrame:
    delimiter = table.attrs.get("delimiter", ",")
    table = table.copy()
    for column in columns:
        text = table[column].astype(str).str.strip()
        missing = text.str.upper().isin(NA_VALUES)
        comma = text.str.fullmatch(_DECIMAL_COMMA.pattern) & ~missing
        if comma.any():
            text = _decimal_commas(text, comma, missing, column, delimiter, path)
        converted = pd.to_numeric(text.where(~missing), errors="coerce")
        bad = converted.isna() & ~missing
        if bad.any():
            at = bad.idxmax()
            raise InputFileError(
                f"{path.name}, row {int(at) + 2}: {column!r} is not a number ({table[column][at]!r}). "
                "Use numbers, or NA for a missing value."
            )
        table[column] = converted
    return table.dropna(subset=list(columns))


def _decimal_commas(text, comma, missing, column: str, delimiter: str, path: Path):
    """Decimal commas (`0,01`) read as numbers when the file is unambiguous: columns separated by `;` or tabs and
    the column written in one decimal style. Otherwise the user is told how to save the file."""
    example = text[comma].iloc[0]
    dotted = text.str.contains(".", regex=False) & ~comma & ~missing
    problem = f"{path.name}: column {column!r} holds text like {example!r} — a decimal comma?"
    if delimiter == ",":
        raise InputFileError(
            f"{problem} In a comma-separated file that is ambiguous. Save the table with '.' as the decimal "
            "separator (R: write.csv, not write.csv2; Excel: a locale with '.' decimals), or with ';' between "
            "columns (Excel's 'CSV (semicolon)' / R's write.csv2), which gene-r1 reads with decimal commas."
        )
    if dotted.any():
        raise InputFileError(
            f"{problem} Other rows use '.' (like {text[dotted].iloc[0]!r}): the column mixes two decimal styles. "
            "Save the table again with one decimal separator."
        )
    return text.str.replace(",", ".", regex=False)
