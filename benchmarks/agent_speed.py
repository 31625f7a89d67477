"""Agent speed on this machine: per-node seconds for single analyses, and batch throughput.

Usage: GENE_R1_HOME=... python benchmarks/agent_speed.py [--sets 50] [--single 5]
Reads NeST gene sets from ../shared/data (test data: timing only, nothing is tuned on it).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from agent.api import analyze, get_context
from agent.batch.inputs import read_gene_sets
from agent.batch.runner import read_results, run_batch
from agent.config import AgentConfig

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sets", type=int, default=50, help="gene sets in the batch run")
    parser.add_argument("--single", type=int, default=5, help="single analyses timed node by node")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--input", type=Path, default=SHARED / "benchmarks" / "nest_geneagent.tsv")
    args = parser.parse_args()

    context = get_context(AgentConfig.from_env())
    sets = read_gene_sets(args.input)
    started = time.perf_counter()
    analyze(list(sets[0].genes), context=context)  # loads the KB, the embedder and the model
    print(f"warm-up (load KB, embedder, model, first analysis): {time.perf_counter() - started:.1f} s")

    per_node: dict[str, list[float]] = {}
    totals = []
    for item in sets[1 : 1 + args.single]:
        started = time.perf_counter()
        result = analyze(list(item.genes), context=context)
        totals.append(time.perf_counter() - started)
        for node, seconds in result.timings.items():
            per_node.setdefault(node, []).append(seconds)
    print(f"single analyses ({len(totals)}): median {statistics.median(totals):.2f} s end to end")
    for node, values in per_node.items():
        print(f"  {node:16s} median {statistics.median(values):.3f} s  mean {statistics.mean(values):.3f} s")

    batch = sets[: args.sets]
    with tempfile.TemporaryDirectory() as out:
        summary = run_batch(batch, Path(out), context=context, batch_size=args.batch_size, show_progress=False)
        records = read_results(summary.results_path)
    print(
        f"batch of {len(records)} sets (batch size {args.batch_size}): {summary.seconds:.1f} s, "
        f"{summary.seconds / max(len(records), 1):.2f} s per set"
    )


if __name__ == "__main__":
    main()
