"""Readers of the release files the knowledge base is built from (pure parsing, no network).

Reactome: `ReactomePathways*.gmt` (`name<TAB>R-HSA-id<TAB>gene...`), `ReactomePathways.txt` (`id<TAB>name<TAB>species`),
`ReactomePathwaysRelation.txt` (`parent<TAB>child`). WikiPathways: Enrichr's `WikiPathway_*_Human.txt`
(`Name WPnnn<TAB><TAB>gene...`) or the official `wikipathways-*-gmt-Homo_sapiens.gmt`
(`Name%WikiPathways_YYYYMMDD%WPnnn%Homo sapiens<TAB>url<TAB>entrez id...`).

We parse GMT ourselves rather than with gseapy's reader: we need each line's id and a count of malformed lines.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from gene_r1.knowledge_base.store import KnowledgeBaseError

REACTOME_URL = "https://reactome.org/content/detail/{id}"
WIKIPATHWAYS_URL = "https://www.wikipathways.org/pathways/{id}.html"
_REACTOME_ID = re.compile(r"^R-[A-Z]{3}-\d+$")
_WIKIPATHWAYS_ID = re.compile(r"^WP\d+$")


@dataclass(frozen=True)
class SkippedLine:
    """A malformed line that was left out of the build."""

    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


@dataclass(frozen=True)
class GeneSet:
    id: str
    name: str
    genes: tuple[str, ...]


@dataclass
class ParsedGmt:
    gene_sets: list[GeneSet]
    skipped: list[SkippedLine] = field(default_factory=list)


# A line parser returns a GeneSet, or a reason why the line is malformed.
LineParser = Callable[[list[str]], "GeneSet | str"]


def parse_gmt_lines(path: Path, parse_line: LineParser, *, source: str) -> ParsedGmt:
    """Parse `path` line by line; malformed lines are skipped and counted, a file with no valid line is an error."""
    result = ParsedGmt(gene_sets=[])
    seen: set[str] = set()
    text = _read_text(path)
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        parsed = parse_line(raw.rstrip("\r\n").split("\t"))
        if isinstance(parsed, str):
            result.skipped.append(SkippedLine(str(path), number, parsed))
        elif parsed.id in seen:
            result.skipped.append(SkippedLine(str(path), number, f"duplicate pathway id {parsed.id}"))
        else:
            seen.add(parsed.id)
            result.gene_sets.append(parsed)
    if not result.gene_sets:
        detail = f" (first problem: {result.skipped[0]})" if result.skipped else " (the file is empty)"
        raise KnowledgeBaseError(f"No valid {source} gene set in {path}{detail}. Is it the right file?")
    return result


def _genes(fields: list[str]) -> tuple[str, ...]:
    unique = dict.fromkeys(g.strip() for g in fields if g.strip())
    return tuple(unique)


def _gene_set(pid: str, name: str, gene_fields: list[str],
              symbol_of: Mapping[str, str] | None = None) -> GeneSet | str:
    """The line's set, or why it has none: no name, no genes, or (ids mapped through `symbol_of`, unmapped ones
    dropped) no gene with a symbol."""
    if not name:
        return f"no name for {pid}"
    genes = _genes(gene_fields)
    if not genes:
        return f"no genes for {pid}"
    if symbol_of is None:
        return GeneSet(pid, name, genes)
    symbols = tuple(dict.fromkeys(symbol_of[i] for i in genes if i in symbol_of))
    return GeneSet(pid, name, symbols) if symbols else f"none of the Entrez ids of {pid} maps to a symbol"


def reactome_gmt_line(fields: list[str]) -> GeneSet | str:
    if len(fields) < 2:
        return f"expected name, id and genes separated by tabs, got {len(fields)} column(s)"
    name, pid = fields[0].strip(), fields[1].strip()
    if not _REACTOME_ID.match(pid):
        return f"missing or malformed Reactome id {pid!r}"
    return _gene_set(pid, name, fields[2:])


def wikipathways_enrichr_line(fields: list[str]) -> GeneSet | str:
    if len(fields) < 2:
        return f"expected 'Name WPnnn', an empty column and genes, got {len(fields)} column(s)"
    name, _, pid = fields[0].strip().rpartition(" ")
    if not _WIKIPATHWAYS_ID.match(pid):
        return f"missing WikiPathways id at the end of {fields[0]!r}"
    return _gene_set(pid, name, fields[1:])


def wikipathways_gmt_line(entrez_to_symbol: Mapping[str, str]) -> LineParser:
    """The official GMT lists Entrez ids: map them to symbols; unmapped ids are dropped."""

    def parse(fields: list[str]) -> GeneSet | str:
        if len(fields) < 3:
            return f"expected 'Name%WikiPathways_date%WPnnn%species', url and genes, got {len(fields)} column(s)"
        parts = fields[0].split("%")
        if len(parts) < 3 or not _WIKIPATHWAYS_ID.match(parts[2].strip()):
            return f"missing WikiPathways id in {fields[0]!r}"
        return _gene_set(parts[2].strip(), parts[0].strip(), fields[2:], entrez_to_symbol)

    return parse


def parse_reactome_gmt(path: Path) -> ParsedGmt:
    return parse_gmt_lines(path, reactome_gmt_line, source="Reactome")


def parse_wikipathways_enrichr(path: Path) -> ParsedGmt:
    return parse_gmt_lines(path, wikipathways_enrichr_line, source="WikiPathways")


def parse_wikipathways_gmt(path: Path, entrez_to_symbol: Mapping[str, str]) -> ParsedGmt:
    return parse_gmt_lines(path, wikipathways_gmt_line(entrez_to_symbol), source="WikiPathways")


def parse_reactome_names(path: Path, species: str = "Homo sapiens") -> dict[str, str]:
    """`ReactomePathways.txt`: id -> name for one species (the file lists all of them)."""
    names: dict[str, str] = {}
    for line in _read_text(path).splitlines():
        fields = line.split("\t")
        if len(fields) >= 3 and fields[2].strip() == species:
            names[fields[0].strip()] = fields[1].strip()
    return names


def parse_reactome_relations(path: Path, keep: set[str]) -> dict[str, tuple[str, ...]]:
    """`ReactomePathwaysRelation.txt`: child -> parents, restricted to edges between ids in `keep`."""
    parents: dict[str, list[str]] = {}
    for line in _read_text(path).splitlines():
        fields = line.split("\t")
        if len(fields) >= 2:
            parent, child = fields[0].strip(), fields[1].strip()
            if parent in keep and child in keep and parent != child:
                parents.setdefault(child, []).append(parent)
    return {child: tuple(sorted(set(ps))) for child, ps in parents.items()}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        raise KnowledgeBaseError(f"Cannot read {path}: {error.strerror or error}.") from error
