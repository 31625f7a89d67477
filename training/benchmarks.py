"""The evaluation sets: Gene-R1's GO test sets (BP, CC, MF), MSigDB and NeST, and the held-out ids.

Every id these files name is test data: `held_out_go_ids` is what training and validation splits must exclude.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

BENCHMARKS = ("BP", "CC", "MF", "MsigDB", "NeST")
IN_DISTRIBUTION = ("BP", "CC", "MF")
RESERVED_FILE = Path("benchmarks") / "reserved_go_ids.txt"


class BenchmarkError(ValueError):
    """A benchmark name or file the user can fix."""


@dataclass(frozen=True)
class GeneSetCase:
    """One named gene set to name: the unit of every benchmark and training example."""

    id: str
    name: str
    genes: tuple[str, ...]
    benchmark: str


def _split_genes(text: str, separator: str | None) -> tuple[str, ...]:
    genes = (g.strip().upper() for g in text.split(separator))
    return tuple(dict.fromkeys(g for g in genes if g))


def _gene_r1_file(source_dir: Path, benchmark: str) -> list[GeneSetCase]:
    path = source_dir / "benchmarks" / "gene_r1" / f"{benchmark}_test.csv"
    with _open(path) as handle:
        return [GeneSetCase(row["ID"], row["Term_Description"].strip(), _split_genes(row["Genes"], None), benchmark)
                for row in csv.DictReader(handle)]


def _msigdb(source_dir: Path) -> list[GeneSetCase]:
    with _open(source_dir / "benchmarks" / "msigdb_geneagent.csv") as handle:
        return [GeneSetCase(row["ID"], row["Name"].strip(), _split_genes(row["Genes"], None), "MsigDB")
                for row in csv.DictReader(handle)]


def _nest(source_dir: Path) -> list[GeneSetCase]:
    with _open(source_dir / "benchmarks" / "nest_geneagent.tsv") as handle:
        return [GeneSetCase(row["NEST ID"], row["name_new"].strip(), _split_genes(row["Genes"], ","), "NeST")
                for row in csv.DictReader(handle, delimiter="\t")]


def _open(path: Path):
    if not path.is_file():
        raise BenchmarkError(f"Benchmark file not found: {path}. Point --source-dir at the data mirrors "
                             "(the directory holding benchmarks/).")
    return path.open(newline="", encoding="utf-8")


def load_benchmark(source_dir: Path, benchmark: str) -> list[GeneSetCase]:
    """The cases of one benchmark, in file order."""
    if benchmark in IN_DISTRIBUTION:
        return _gene_r1_file(source_dir, benchmark)
    if benchmark == "MsigDB":
        return _msigdb(source_dir)
    if benchmark == "NeST":
        return _nest(source_dir)
    raise BenchmarkError(f"Unknown benchmark {benchmark!r}; choose from {', '.join(BENCHMARKS)} (or 'dev').")


def load_reserved_ids(source_dir: Path) -> frozenset[str]:
    path = source_dir / RESERVED_FILE
    with _open(path) as handle:
        return frozenset(line.strip() for line in handle if line.strip())


def held_out_go_ids(source_dir: Path) -> frozenset[str]:
    """Reserved ids plus every GO id of the Gene-R1 test sets: never in a training or validation split."""
    ids = set(load_reserved_ids(source_dir))
    for benchmark in IN_DISTRIBUTION:
        ids.update(case.id for case in load_benchmark(source_dir, benchmark))
    return frozenset(ids)
