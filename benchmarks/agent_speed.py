"""Agent speed on this machine: warm single analyses of 8-30 gene sets node by node, and batch throughput, for the
judge (ranker + the model's vote) and the ranker alone; optionally the same sets through an earlier revision of the
agent (e.g. the landed free-text loop) in the same run, for a side-by-side comparison.

Usage: GENE_R1_HOME=... python benchmarks/agent_speed.py [--single 8] [--sets 40] [--compare-rev d7be35d]
Reads NeST gene sets from ../shared/data (test data: timing only, nothing is tuned on it).
Targets (issue 9): model step <= 1.5 s, whole analysis <= 3 s, batch <= 1 s per set, on a 2-core CPU. With the model
writing the name (`--selection model`, issue 17): warm analysis <= 1.5 s, batch <= 1 s per set.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"

OLD_REVISION_PROBE = """
import json, statistics, sys, time
from gene_r1.agent.api import analyze, get_context
from gene_r1.agent.config import AgentConfig
sets = json.loads(sys.argv[1])
context = get_context(AgentConfig.from_env())
analyze(sets[0], context=context)
totals, model = [], []
for genes in sets[1:]:
    started = time.perf_counter()
    result = analyze(genes, context=context)
    totals.append(time.perf_counter() - started)
    model.append(result.timings.get("propose", 0.0))
print(json.dumps({"median_total": statistics.median(totals), "median_model": statistics.median(model),
                  "n": len(totals)}))
"""


def single_sets(path: Path, count: int) -> list[list[str]]:
    from gene_r1.agent.batch.inputs import read_gene_sets

    return [list(s.genes) for s in read_gene_sets(path) if 8 <= len(s.genes) <= 30][: count + 1]


def time_singles(config, sets: list[list[str]]) -> dict:
    from gene_r1.agent.api import analyze
    from gene_r1.agent.context import AgentContext

    context = AgentContext(config=config)
    started = time.perf_counter()
    analyze(sets[0], context=context)  # loads the KB, the embedder, the ranker and (when weighed) the model
    warm_up = time.perf_counter() - started
    per_node: dict[str, list[float]] = {}
    totals = []
    for genes in sets[1:]:
        started = time.perf_counter()
        result = analyze(genes, context=context)
        totals.append(time.perf_counter() - started)
        for node, seconds in result.timings.items():
            per_node.setdefault(node, []).append(seconds)
    return {"warm_up_s": warm_up, "median_total_s": statistics.median(totals), "n": len(totals),
            "median_node_s": {node: statistics.median(v) for node, v in per_node.items()}, "context": context}


def time_batch(context, path: Path, count: int, batch_size: int) -> dict:
    from gene_r1.agent.batch.inputs import read_gene_sets
    from gene_r1.agent.batch.runner import read_results, run_batch

    sets = read_gene_sets(path)[:count]
    with tempfile.TemporaryDirectory() as out:
        summary = run_batch(sets, Path(out), context=context, batch_size=batch_size, show_progress=False)
        records = read_results(summary.results_path)
    return {"sets": len(records), "seconds": summary.seconds, "per_set_s": summary.seconds / max(len(records), 1)}


def time_old_revision(revision: str, sets: list[list[str]]) -> dict:
    """The same single analyses through `revision` of this repository (a temporary git worktree)."""
    with tempfile.TemporaryDirectory() as tree:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", tree, revision], check=True,
                       capture_output=True)
        try:
            output = subprocess.run([sys.executable, "-c", OLD_REVISION_PROBE, json.dumps(sets)], cwd=tree,
                                    env={**__import__("os").environ, "PYTHONPATH": tree}, check=True,
                                    capture_output=True, text=True).stdout
            return json.loads(output.strip().splitlines()[-1])
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", tree], capture_output=True)


def assets_with_weight(weight: float) -> Path:
    """A copy of the shipped ranker and judge settings with the model's weight set (timing only)."""
    import shutil

    from gene_r1.agent.ranker import DEFAULT_ASSETS

    target = Path(tempfile.mkdtemp(prefix="judge-assets-"))
    shutil.copytree(DEFAULT_ASSETS, target, dirs_exist_ok=True)
    settings = json.loads((target / "judge.json").read_text())
    (target / "judge.json").write_text(json.dumps(settings | {"model_weight": weight}))
    return target


def main() -> None:
    from gene_r1.agent.config import AgentConfig

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--single", type=int, default=8, help="warm single analyses timed node by node")
    parser.add_argument("--sets", type=int, default=40, help="gene sets in each batch run")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--input", type=Path, default=SHARED / "benchmarks" / "nest_geneagent.tsv")
    parser.add_argument("--compare-rev", help="also time this git revision's agent on the same single sets")
    parser.add_argument("--model-weight", type=float, default=1.0,
                        help="also time the judge with the model's vote at this weight (the shipped weight may be "
                             "0, when the model is never called)")
    args = parser.parse_args()

    sets = single_sets(args.input, args.single)
    print(f"{len(sets) - 1} single analyses of 8-30 genes (NeST), after one warm-up each")
    runs = [("judge", {"selection": "judge"}), ("ranker", {"selection": "ranker"}),
            ("model names", {"selection": "model"})]
    if args.model_weight:
        runs.append((f"judge, model weight {args.model_weight:g}",
                     {"selection": "judge", "judge_assets": assets_with_weight(args.model_weight)}))
    for label, overrides in runs:
        config = AgentConfig.from_env(**overrides)
        selection = label
        single = time_singles(config, sets)
        nodes = ", ".join(f"{k} {v:.3f}" for k, v in single["median_node_s"].items())
        print(f"[{selection}] warm-up {single['warm_up_s']:.1f} s; median analysis {single['median_total_s']:.2f} s"
              f" (nodes, median s: {nodes})")
        batch = time_batch(single["context"], args.input, args.sets, args.batch_size)
        print(f"[{selection}] batch of {batch['sets']} sets: {batch['seconds']:.1f} s, {batch['per_set_s']:.2f} s "
              "per set")
    if args.compare_rev:
        old = time_old_revision(args.compare_rev, sets)
        print(f"[{args.compare_rev}] median analysis {old['median_total']:.2f} s, of which the model "
              f"{old['median_model']:.2f} s ({old['n']} sets)")


if __name__ == "__main__":
    main()
