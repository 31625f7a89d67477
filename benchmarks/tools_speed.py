"""Speed of the evidence tools: `enrich` (50-gene sets) and warm `search_pathways`, plus the index build.

    GENE_R1_HOME=... .venv/bin/python benchmarks/tools_speed.py [--repeats 200] [--index-build]

Targets: enrich of a 50-gene set against all ~3.5k pathways <= 20 ms median; search_pathways <= 20 ms median once
warm. `--index-build` also times a cold build of the Chroma index (every pathway embedded) into a temporary directory
and an incremental rerun (nothing changed). Wall-clock timings mean something only on a quiet machine: the load
average is printed with them.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from gene_r1.tools import enrich, search_pathways
from gene_r1.tools.context import open_knowledge_base


def timed(calls: list[Callable[[], object]]) -> list[float]:
    seconds = []
    for call in calls:
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    return seconds


def report(label: str, seconds: list[float]) -> None:
    ms = [s * 1000 for s in seconds]
    print(f"{label:34s} n={len(ms):4d}  median {statistics.median(ms):7.2f} ms  mean {statistics.mean(ms):7.2f} ms"
          f"  p90 {sorted(ms)[int(0.9 * (len(ms) - 1))]:7.2f} ms")


def gene_sets_of_50(kb, count: int, rng: random.Random) -> list[list[str]]:
    """30 genes of a real pathway (>= 30 genes) and 20 from the whole background: realistic, not trivially pure."""
    index = kb.enrichment_index
    large = [pid for pid in index.ids if len(index.gene_sets[pid]) >= 30]
    sets = []
    for _ in range(count):
        members = sorted(index.gene_sets[rng.choice(large)])
        chosen = rng.sample(members, 30)
        chosen += rng.sample([g for g in index.genes if g not in set(chosen)][:5000], 20)
        sets.append(chosen)
    return sets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, default=None, help="data home (default $GENE_R1_HOME)")
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--index-build", action="store_true", help="also time a cold and an incremental index build")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    print(f"load average before: {os.getloadavg()[0]:.2f} (cores: {os.cpu_count()})")

    started = time.perf_counter()
    kb = open_knowledge_base(args.home)
    kb.enrichment_index, kb.symbols  # noqa: B018 - built once per process
    print(f"open KB + build enrichment index and symbol table: {time.perf_counter() - started:.2f} s "
          f"({len(kb.enrichment_index.ids)} sets, {len(kb.enrichment_index.genes)} genes)")

    sets = gene_sets_of_50(kb, args.repeats, rng)
    enrich(sets[0], kb=kb)  # scipy's first call imports and initialises
    report("enrich, 50 genes, all sources", timed([lambda s=s: enrich(s, kb=kb) for s in sets]))
    report("index.enrich (no normalisation)",
           timed([lambda s=s: kb.enrichment_index.enrich(s) for s in sets]))
    big = rng.sample(kb.enrichment_index.genes, 5000)
    report("enrich, 5,000 genes", timed([lambda: enrich(big, kb=kb)] * 5))

    started = time.perf_counter()
    kb.warm_up()
    print(f"search warm-up (embedder + Chroma + lexicon): {time.perf_counter() - started:.2f} s")
    names = [kb.enrichment_index.names[pid] for pid in rng.sample(kb.enrichment_index.ids, args.repeats)]
    queries = [" ".join(name.split()[:4]).lower() for name in names]  # short, name-like, not verbatim
    report("search_pathways, k=5", timed([lambda q=q: search_pathways(q, k=5, kb=kb) for q in queries]))
    report("search_pathways, k=5, genes=50", timed(
        [lambda q=q, s=s: search_pathways(q, k=5, genes=s, kb=kb) for q, s in zip(queries, sets, strict=False)]))
    report("embed one query", timed([lambda q=q: kb.embedder.encode([q]) for q in queries]))

    if args.index_build:
        from gene_r1.knowledge_base.index import update_index

        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            cold = update_index(kb.store, Path(tmp) / "chroma", embedder=kb.embedder, show_progress=True)
            cold_seconds = time.perf_counter() - started
            started = time.perf_counter()
            again = update_index(kb.store, Path(tmp) / "chroma", embedder=kb.embedder, show_progress=False)
            print(f"index build, cold: {cold_seconds:.1f} s for {cold.total} documents "
                  f"({cold.total / cold_seconds:.1f} docs/s); incremental, unchanged: "
                  f"{time.perf_counter() - started:.2f} s ({again.unchanged} unchanged)")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
