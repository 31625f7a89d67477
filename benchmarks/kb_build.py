"""Time `kb build --source-dir DIR`: the store and the search index separately, cold and incremental.

    .venv/bin/python benchmarks/kb_build.py [--source-dir ../shared/data] [--repeats 1]

Each repeat builds into a fresh data home (a cold build: every pathway embedded), then rebuilds the same home
(incremental: nothing changed, so nothing is re-embedded). Timings are wall-clock seconds on this machine; they are
only meaningful when nothing else competes for the CPU (check `uptime` and report the load with the numbers).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source-dir", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()

    from gene_r1.knowledge_base.build import build_knowledge_base

    load_before = os.getloadavg()[0]
    rows: dict[str, list[float]] = {}
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory(prefix="kb-bench-") as home:
            for label in ("cold", "incremental"):
                started = time.perf_counter()
                report = build_knowledge_base(Path(home), source_dir=args.source_dir, show_progress=False)
                total = time.perf_counter() - started
                for part, seconds in (("store", report.store_seconds), ("index", report.index_seconds),
                                      ("total", total)):
                    rows.setdefault(f"{label} {part}", []).append(seconds)
            counts = ", ".join(f"{s} {n}" for s, n in report.pathways.items())
    print(f"source: {args.source_dir} ({counts}; {report.index_documents} index documents)")
    print(f"1-min load average before {load_before:.2f}, after {os.getloadavg()[0]:.2f}, on {os.cpu_count()} CPUs")
    for name, values in rows.items():
        spread = f" (min {min(values):.1f}, max {max(values):.1f})" if len(values) > 1 else ""
        print(f"{name:>18}: {statistics.median(values):7.1f} s{spread}")


if __name__ == "__main__":
    main()
