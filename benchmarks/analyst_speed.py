"""Warm speed of the whole analysis with the analyst judge (issue 16 targets: <= 0.3 s for 8-30 genes, <= 1 s for
300 genes, batch <= 0.3 s per set), on gene sets drawn from the knowledge base itself (nothing is tuned here).

    python benchmarks/analyst_speed.py [--sets 20]

300-gene sets are 40 interferon alpha/beta genes + 20 cholesterol-biosynthesis genes + 240 random background genes,
the mixed DE block of the issue. Prints medians with the load average beside them (the machine is shared).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def gene_sets(context, count: int, seed: int = 3) -> dict[str, list[list[str]]]:
    store = context.kb.store
    rng = random.Random(seed)
    pathways = [p for p in store.pathways(("reactome",)) if len(p.genes) >= 60]
    background = sorted(context.kb.enrichment_index.background(context.config.sources))
    interferon = sorted(store.pathway("R-HSA-909733").genes)[:40]
    cholesterol = sorted(store.pathway("R-HSA-191273").genes)[:20]
    picks = rng.sample(pathways, count)
    return {
        "8 genes": [rng.sample(sorted(p.genes), 8) for p in picks],
        "30 genes": [rng.sample(sorted(p.genes), 30) for p in picks],
        "300 genes": [interferon + cholesterol + rng.sample(background, 240) for _ in range(max(3, count // 4))],
    }


def main(argv=None) -> int:
    from gene_r1.agent.api import analyze, get_context

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", type=int, default=20)
    args = parser.parse_args(argv)
    context = get_context()
    sets = gene_sets(context, args.sets)
    analyze(sets["8 genes"][0], context=context)  # warm: knowledge base, ranker, null, embedder
    for label, group in sets.items():
        seconds, assess = [], []
        for genes in group:
            started = time.perf_counter()
            result = analyze(genes, context=context)
            seconds.append(time.perf_counter() - started)
            assess.append(result.timings.get("assess", 0.0))
        print(f"{label:10} {len(group):3} sets  median {statistics.median(seconds):.3f} s  "
              f"(assess {statistics.median(assess):.3f} s)  load {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        gmt = Path(tmp) / "sets.gmt"
        gmt.write_text("".join(f"set{i}\tna\t" + "\t".join(g) + "\n" for i, g in enumerate(sets["30 genes"])))
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "gene_r1.agent.cli", "batch", str(gmt), "--out", str(Path(tmp) / "out"),
                        "--quiet"], check=True, capture_output=True)
        total = time.perf_counter() - started
        print(f"batch      {len(sets['30 genes']):3} sets  {total / len(sets['30 genes']):.3f} s per set, cold process "
              f"included  load {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
