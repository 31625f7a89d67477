"""Hu et al.'s noise protocol: each real gene set, the same set with half its genes replaced by random genes, and a
random set of the same size (Nature Methods 2025). Coherence and name confidence are tuned and calibrated on the
dev version of it (GO terms of the dev side only) and reported on the Gene-R1 benchmark sets in the same three
versions.

Random genes come from the knowledge base's background (the genes of the evidence libraries), never from the set
itself. Deterministic given the seed: the same case always gets the same replacement genes.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

VERSIONS = ("real", "half", "random")
DEV_NAMESPACE_MIX = {"BP": 0.6, "MF": 0.2, "CC": 0.2}


@dataclass(frozen=True)
class ProtocolCase:
    id: str  # the source case's id
    version: str  # real | half | random
    name: str  # the true name (of the real set; the random version has none that fits)
    genes: tuple[str, ...]
    source: str  # BP | MF | CC | MsigDB | NeST | dev namespace


def _rng(seed: int, case_id: str, version: str) -> random.Random:
    return random.Random(int(hashlib.sha256(f"{seed}|{case_id}|{version}".encode()).hexdigest()[:12], 16))


def versions(case_id: str, name: str, genes: Sequence[str], source: str, background: Sequence[str],
             seed: int = 0) -> list[ProtocolCase]:
    """The real set, its 50%-contaminated version and a random set of the same size."""
    genes = tuple(dict.fromkeys(genes))
    members = set(genes)
    pool = [g for g in background if g not in members]
    rng = _rng(seed, case_id, "half")
    # a set of thousands of genes may leave fewer background genes outside it than half its size
    replaced = set(rng.sample(range(len(genes)), min(len(genes) // 2, len(pool))))
    fresh = iter(rng.sample(pool, len(replaced)))
    half = tuple(next(fresh) if i in replaced else g for i, g in enumerate(genes))
    random_set = tuple(_rng(seed, case_id, "random").sample(list(background), min(len(genes), len(background))))
    return [ProtocolCase(case_id, "real", name, genes, source), ProtocolCase(case_id, "half", name, half, source),
            ProtocolCase(case_id, "random", name, random_set, source)]


def dev_terms(source_dir: Path, count: int, *, seed: int = 0, min_genes: int = 2, max_genes: int = 2000) -> list:
    """GO terms of the dev side (`training.judge_data.dev_bucket`), never a reserved or benchmark id nor a
    near-duplicate of a benchmark set, sampled by namespace (`DEV_NAMESPACE_MIX`) at GO's own size distribution."""
    from gene_r1.knowledge_base.go import load_go
    from gene_r1.training.benchmarks import BENCHMARKS, held_out_go_ids, load_benchmark
    from gene_r1.training.data import Target, near_duplicates
    from gene_r1.training.judge_data import dev_bucket

    held_out = held_out_go_ids(source_dir)
    terms = [t for t in load_go(source_dir / "go").values()
             if t.name and t.id not in held_out and dev_bucket(t.id) and min_genes <= len(t.genes) <= max_genes]
    cases = [c for b in BENCHMARKS for c in load_benchmark(source_dir, b)]
    leaking = near_duplicates([Target(t.id, t.namespace, t.name, t.genes) for t in terms], cases, 0.5)
    terms = sorted((t for t in terms if t.id not in leaking), key=lambda t: t.id)
    rng = random.Random(seed)
    chosen = []
    for namespace, share in DEV_NAMESPACE_MIX.items():
        side = [t for t in terms if t.namespace == namespace]
        chosen += rng.sample(side, min(len(side), round(count * share)))
    return sorted(chosen, key=lambda t: t.id)


def dev_protocol(source_dir: Path, background: Sequence[str], count: int, seed: int = 0) -> list[ProtocolCase]:
    out: list[ProtocolCase] = []
    for term in dev_terms(source_dir, count, seed=seed):
        out += versions(term.id, term.name, sorted(term.genes), term.namespace, background, seed)
    return out


def benchmark_protocol(source_dir: Path, background: Sequence[str], seed: int = 0) -> list[ProtocolCase]:
    """The five Gene-R1 benchmarks (BP, CC, MF, MSigDB, NeST), each set in its three versions. Report only."""
    from gene_r1.training.benchmarks import BENCHMARKS, load_benchmark

    out: list[ProtocolCase] = []
    for benchmark in BENCHMARKS:
        for case in load_benchmark(source_dir, benchmark):
            out += versions(case.id, case.name, case.genes, benchmark, background, seed)
    return out
