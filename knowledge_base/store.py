"""The local pathway store: one SQLite file, written atomically, read through `PathwayStore`.

Schema (version `SCHEMA_VERSION`):
  meta(key, value)                          schema_version, built_at, builder version
  releases(source, release, origin, sha256, retrieved_at)
  pathways(id, source, name, description, url)
  hierarchy(parent, child)                  pathway ids (Reactome's ReactomePathwaysRelation)
  membership(pathway_id, gene)              HGNC symbols
  genes(symbol, name, groups, hgnc_id)      approved symbols; name/groups empty when HGNC data is absent
  symbol_aliases(alias, symbol, kind)       alias in upper case -> approved symbol; kind: previous|alias|ensembl
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

SCHEMA_VERSION = 1
EVIDENCE_SOURCES = ("reactome", "wikipathways")
OPT_IN_SOURCES = ("go",)  # evidence only when asked for (`--sources`), and in the store only if built `--with-go`

_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE releases(source TEXT PRIMARY KEY, release TEXT NOT NULL, origin TEXT NOT NULL,
                      sha256 TEXT NOT NULL DEFAULT '', retrieved_at TEXT NOT NULL);
CREATE TABLE pathways(id TEXT PRIMARY KEY, source TEXT NOT NULL, name TEXT NOT NULL,
                      description TEXT NOT NULL DEFAULT '', url TEXT NOT NULL DEFAULT '');
CREATE TABLE hierarchy(parent TEXT NOT NULL, child TEXT NOT NULL, PRIMARY KEY(parent, child));
CREATE TABLE membership(pathway_id TEXT NOT NULL, gene TEXT NOT NULL, PRIMARY KEY(pathway_id, gene));
CREATE INDEX membership_by_gene ON membership(gene);
CREATE TABLE genes(symbol TEXT PRIMARY KEY, name TEXT NOT NULL DEFAULT '', groups TEXT NOT NULL DEFAULT '[]',
                   hgnc_id TEXT NOT NULL DEFAULT '');
CREATE TABLE symbol_aliases(alias TEXT NOT NULL, symbol TEXT NOT NULL, kind TEXT NOT NULL,
                            PRIMARY KEY(alias, symbol, kind));
"""


class KnowledgeBaseError(RuntimeError):
    """A knowledge-base problem a user can act on (missing, corrupt, built by another version)."""


@dataclass(frozen=True)
class Pathway:
    id: str
    source: str
    name: str
    genes: tuple[str, ...]
    description: str = ""
    url: str = ""
    parents: tuple[str, ...] = ()


@dataclass(frozen=True)
class GeneRecord:
    symbol: str
    name: str = ""
    groups: tuple[str, ...] = ()
    hgnc_id: str = ""


@dataclass(frozen=True)
class SourceRelease:
    source: str
    release: str
    origin: str
    sha256: str = ""
    retrieved_at: str = ""


@dataclass(frozen=True)
class Alias:
    alias: str
    symbol: str
    kind: str  # previous | alias | ensembl


@dataclass
class StoreContents:
    """Everything a store holds, in memory: what builders produce and `write_store` persists."""

    pathways: list[Pathway]
    releases: list[SourceRelease]
    genes: list[GeneRecord] = field(default_factory=list)
    aliases: list[Alias] = field(default_factory=list)


def write_store(path: Path, contents: StoreContents) -> Path:
    """Write `contents` to `path` atomically: a temporary file beside it, then a rename.

    A crash mid-write leaves the previous store untouched and no partial file under `path`.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".pathways-", suffix=".sqlite.tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        tmp.unlink()
        con = sqlite3.connect(tmp)
        try:
            _fill(con, contents)
            con.commit()
        finally:
            con.close()
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _fill(con: sqlite3.Connection, contents: StoreContents) -> None:
    con.executescript(_SCHEMA)
    built_at = datetime.now(UTC).isoformat(timespec="seconds")
    con.executemany(
        "INSERT INTO meta VALUES (?, ?)",
        [("schema_version", str(SCHEMA_VERSION)), ("built_at", built_at)],
    )
    con.executemany(
        "INSERT INTO releases VALUES (?, ?, ?, ?, ?)",
        [(r.source, r.release, r.origin, r.sha256, r.retrieved_at or built_at) for r in contents.releases],
    )
    con.executemany(
        "INSERT INTO pathways VALUES (?, ?, ?, ?, ?)",
        [(p.id, p.source, p.name, p.description, p.url) for p in contents.pathways],
    )
    con.executemany(
        "INSERT OR IGNORE INTO hierarchy VALUES (?, ?)",
        [(parent, p.id) for p in contents.pathways for parent in p.parents],
    )
    con.executemany(
        "INSERT OR IGNORE INTO membership VALUES (?, ?)",
        [(p.id, gene) for p in contents.pathways for gene in p.genes],
    )
    known = {g.symbol for g in contents.genes}
    members = {gene for p in contents.pathways for gene in p.genes} - known
    genes = list(contents.genes) + [GeneRecord(symbol=s) for s in sorted(members)]
    con.executemany(
        "INSERT OR IGNORE INTO genes VALUES (?, ?, ?, ?)",
        [(g.symbol, g.name, json.dumps(list(g.groups)), g.hgnc_id) for g in genes],
    )
    con.executemany(
        "INSERT OR IGNORE INTO symbol_aliases VALUES (?, ?, ?)",
        [(a.alias.upper(), a.symbol, a.kind) for a in contents.aliases],
    )


def _check_length(path: Path) -> None:
    """Refuse a truncated file: SQLite's header records the page count (valid when the two counters agree)."""
    with path.open("rb") as handle:
        header = handle.read(100)
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        raise sqlite3.DatabaseError("not an SQLite database, or cut short")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    if header[24:28] == header[92:96] and (size := path.stat().st_size) < pages * page_size:
        raise sqlite3.DatabaseError(f"truncated: {size} of {pages * page_size} bytes")


def _check_mark(path: Path) -> tuple[Path, str]:
    """The file that records a passed integrity check, and what it records: the store file's inode, size and
    modification time (a rewritten, truncated or replaced file no longer matches)."""
    stat = path.stat()
    return path.with_name(f".{path.name}.checked"), f"{stat.st_ino}:{stat.st_size}:{stat.st_mtime_ns}"


def _checked(path: Path) -> bool:
    mark, version = _check_mark(path)
    try:
        return mark.read_text(encoding="utf-8") == version
    except OSError:
        return False


def _mark_checked(path: Path) -> None:
    mark, version = _check_mark(path)
    with contextlib.suppress(OSError):  # a read-only home checks again next time
        mark.write_text(version, encoding="utf-8")


class PathwayStore:
    """Read-only access to a built store. Open it with `PathwayStore.open(path)`."""

    def __init__(self, con: sqlite3.Connection, path: Path):
        self._con = con
        self.path = path

    @classmethod
    def open(cls, path: Path) -> PathwayStore:
        if not path.exists():
            raise KnowledgeBaseError(
                f"No knowledge base at {path}. Build it with `gene-r1 kb build` "
                "(or `gene-r1 kb build --source-dir DIR` offline)."
            )
        con = None
        try:
            _check_length(path)
            con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            # A damaged page found now is a clear message, not a wrong answer later. The check costs 50-160 ms on
            # the full store (2 shared cores): it runs once per version of the file, not on every cold start.
            if not _checked(path):
                problems = [r[0] for r in con.execute("PRAGMA quick_check(3)")]
                if problems != ["ok"]:
                    raise sqlite3.DatabaseError(" ".join(" ".join(problems).split()))
                _mark_checked(path)
        except sqlite3.DatabaseError as error:
            if con is not None:
                con.close()
            raise KnowledgeBaseError(
                f"The knowledge base store {path} is unreadable ({error}). Rebuild it with "
                "`gene-r1 kb build --force`."
            ) from error
        version = int(row[0]) if row else 0
        if version != SCHEMA_VERSION:
            con.close()
            raise KnowledgeBaseError(
                f"The knowledge base at {path} has schema version {version}; this gene-r1 needs "
                f"{SCHEMA_VERSION}. Rebuild it with `gene-r1 kb build --force`."
            )
        return cls(con, path)

    def close(self) -> None:
        self._con.close()

    def meta(self) -> dict[str, str]:
        return dict(self._con.execute("SELECT key, value FROM meta"))

    def releases(self) -> list[SourceRelease]:
        rows = self._con.execute("SELECT source, release, origin, sha256, retrieved_at FROM releases")
        return [SourceRelease(*row) for row in rows]

    def sources(self) -> list[str]:
        return [row[0] for row in self._con.execute("SELECT DISTINCT source FROM pathways ORDER BY source")]

    def count_pathways(self, source: str) -> int:
        return self._con.execute("SELECT COUNT(*) FROM pathways WHERE source = ?", (source,)).fetchone()[0]

    def count_genes(self) -> int:
        return self._con.execute("SELECT COUNT(*) FROM genes").fetchone()[0]

    def count_aliases(self) -> int:
        return self._con.execute("SELECT COUNT(*) FROM symbol_aliases").fetchone()[0]

    def pathway(self, pathway_id: str) -> Pathway | None:
        row = self._con.execute(
            "SELECT id, source, name, description, url FROM pathways WHERE id = ?", (pathway_id,)
        ).fetchone()
        return self._pathway_from_row(row) if row else None

    def pathways(self, sources: Iterable[str] | None = None) -> list[Pathway]:
        """All pathways of `sources` (all sources when None), ordered by id, genes included."""
        wanted = tuple(sources) if sources is not None else tuple(self.sources())
        marks = ",".join("?" * len(wanted))
        genes: dict[str, list[str]] = {}
        for pid, gene in self._con.execute(
            f"SELECT m.pathway_id, m.gene FROM membership m JOIN pathways p ON p.id = m.pathway_id "
            f"WHERE p.source IN ({marks}) ORDER BY m.pathway_id, m.gene",
            wanted,
        ):
            genes.setdefault(pid, []).append(gene)
        parents: dict[str, list[str]] = {}
        for parent, child in self._con.execute("SELECT parent, child FROM hierarchy ORDER BY parent"):
            parents.setdefault(child, []).append(parent)
        rows = self._con.execute(
            f"SELECT id, source, name, description, url FROM pathways WHERE source IN ({marks}) ORDER BY id",
            wanted,
        )
        return [
            Pathway(
                id=pid,
                source=source,
                name=name,
                description=description,
                url=url,
                genes=tuple(genes.get(pid, ())),
                parents=tuple(parents.get(pid, ())),
            )
            for pid, source, name, description, url in rows
        ]

    def gene_sets(self, sources: Iterable[str] = EVIDENCE_SOURCES) -> dict[str, frozenset[str]]:
        return {p.id: frozenset(p.genes) for p in self.pathways(sources)}

    def pathway_ids_for_gene(self, symbol: str) -> list[str]:
        rows = self._con.execute("SELECT pathway_id FROM membership WHERE gene = ? ORDER BY pathway_id", (symbol,))
        return [row[0] for row in rows]

    def children(self, pathway_id: str) -> list[str]:
        rows = self._con.execute("SELECT child FROM hierarchy WHERE parent = ? ORDER BY child", (pathway_id,))
        return [row[0] for row in rows]

    def gene(self, symbol: str) -> GeneRecord | None:
        row = self._con.execute(
            "SELECT symbol, name, groups, hgnc_id FROM genes WHERE symbol = ?", (symbol,)
        ).fetchone()
        if row is None:
            return None
        return GeneRecord(symbol=row[0], name=row[1], groups=tuple(json.loads(row[2])), hgnc_id=row[3])

    def approved_symbols(self) -> frozenset[str]:
        return frozenset(row[0] for row in self._con.execute("SELECT symbol FROM genes"))

    def aliases_of(self, alias: str) -> list[Alias]:
        """The approved symbols one upper-cased alias may stand for (an indexed lookup: microseconds)."""
        rows = self._con.execute("SELECT alias, symbol, kind FROM symbol_aliases WHERE alias = ?", (alias,))
        return [Alias(*row) for row in rows]

    def pathway_names(self, sources: Iterable[str]) -> dict[str, str]:
        """id -> name of the pathways of `sources` (without their genes: cheap)."""
        wanted = tuple(sources)
        rows = self._con.execute(
            f"SELECT id, name FROM pathways WHERE source IN ({','.join('?' * len(wanted))}) ORDER BY id", wanted)
        return dict(rows)

    def aliases(self) -> Mapping[str, list[Alias]]:
        """Upper-cased alias -> the approved symbols it may stand for (all 134k rows of the full store: ~0.3-1 s)."""
        table: dict[str, list[Alias]] = {}
        for alias, symbol, kind in self._con.execute("SELECT alias, symbol, kind FROM symbol_aliases"):
            table.setdefault(alias, []).append(Alias(alias, symbol, kind))
        return table

    def _pathway_from_row(self, row: tuple) -> Pathway:
        pid, source, name, description, url = row
        genes = tuple(
            r[0] for r in self._con.execute("SELECT gene FROM membership WHERE pathway_id = ? ORDER BY gene", (pid,))
        )
        parents = tuple(
            r[0] for r in self._con.execute("SELECT parent FROM hierarchy WHERE child = ? ORDER BY parent", (pid,))
        )
        return Pathway(id=pid, source=source, name=name, description=description, url=url, genes=genes, parents=parents)
