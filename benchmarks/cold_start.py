"""Cold start of the command line: what a user pays per `gene-r1` process, this tree beside an earlier revision.

    .venv/bin/python benchmarks/cold_start.py [--repeats 5] [--rev HEAD~3] [--json]

For each tree (this working tree, and with `--rev` that git revision checked out in a temporary worktree) it runs,
each in a fresh Python process started the same way (`python -c` importing the tree's `gene-r1` app, in the tree):

- `gene-r1 analyze CDK1 CCNB1 CCNA2 PLK1 AURKA BUB1 MAD2L1 CDC20` once on an empty data home (the first run, which
  builds the knowledge base), then `--repeats` times on that home (the cold start a user feels on every call);
- `gene-r1 --help`, `--repeats` times.

It prints the median and the spread of the wall times, the peak resident memory of each process (from `os.wait4`'s
rusage of that child alone), whether both trees gave the same answer (name, confidence, candidates), and the 1-minute
load average before and after each series: on a shared machine timings mean little without it.
Targets (issue 18): cold analyze <= 1.5 s, `--help` <= 0.3 s, peak RSS <= 300 MB, on a quiet 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GENES = ["CDK1", "CCNB1", "CCNA2", "PLK1", "AURKA", "BUB1", "MAD2L1", "CDC20"]
# The tree's entry point: `gene_r1.training.cli.main` (the console script; trees with agent/package_root), else
# `training.cli.main`, `cli.app` or `agent.cli.app` in older trees (run from their folder, on PYTHONPATH).
LAUNCH = ("import importlib, pathlib; new = pathlib.Path('agent/package_root').is_dir(); "
          "m = importlib.import_module('gene_r1.training.cli' if new else 'training.cli'); "
          "m.main() if hasattr(m, 'main') else "
          "importlib.import_module('cli' if pathlib.Path('cli').is_dir() else 'agent.cli').app()")


@dataclass
class Run:
    seconds: float
    cpu_seconds: float  # user + system of the process: less sensitive than wall time to other processes' load
    peak_rss_mb: float
    exit_code: int
    stdout: str = field(repr=False, default="")
    stderr: str = field(repr=False, default="")


@dataclass
class Series:
    command: str
    runs: list[Run]
    load_before: float
    load_after: float

    def summary(self) -> dict:
        times = [r.seconds for r in self.runs]
        return {"command": self.command, "n": len(times), "median_s": round(statistics.median(times), 3),
                "min_s": round(min(times), 3), "max_s": round(max(times), 3),
                "median_cpu_s": round(statistics.median(r.cpu_seconds for r in self.runs), 3),
                "peak_rss_mb": round(max(r.peak_rss_mb for r in self.runs), 1),
                "failures": sum(r.exit_code != 0 for r in self.runs),
                "load_before": round(self.load_before, 2), "load_after": round(self.load_after, 2)}


def run_process(tree: Path, args: list[str], env: dict[str, str]) -> Run:
    """One `gene-r1 ARGS` process in `tree`: wall time and its own peak RSS (ru_maxrss of this child, in KiB)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-c", LAUNCH, *args], cwd=tree, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(seconds=seconds, cpu_seconds=usage.ru_utime + usage.ru_stime, peak_rss_mb=usage.ru_maxrss / 1024,
                   exit_code=process.returncode,
                   stdout=out.read().decode(errors="replace"), stderr=err.read().decode(errors="replace"))


def series(tree: Path, args: list[str], env: dict[str, str], repeats: int) -> Series:
    load_before = os.getloadavg()[0]
    runs = [run_process(tree, args, env) for _ in range(repeats)]
    return Series(command="gene-r1 " + " ".join(args), runs=runs, load_before=load_before,
                  load_after=os.getloadavg()[0])


def tree_env(tree: Path, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GENE_R1_")}
    # The tree's own packages first (the venv's editable install points at the working tree).
    env.update(GENE_R1_HOME=str(home), HF_HUB_OFFLINE="1", PYTHONPATH=str(tree))
    return env


def answer(run: Run) -> dict:
    """What a user reads from `analyze --json`, without timings."""
    result = json.loads(run.stdout)
    return {"name": result["name"], "confidence": result["confidence"],
            "candidates": [(c["name"], round(c["probability"], 6)) for c in result["candidates"]]}


def measure(tree: Path, label: str, repeats: int, work: Path) -> dict:
    env = tree_env(tree, work / label / "home")
    analyze_args = ["analyze", *GENES]
    first = series(tree, analyze_args, env, 1)  # an empty home: builds the knowledge base
    cold = series(tree, analyze_args, env, repeats)
    helps = series(tree, ["--help"], env, repeats)
    as_json = run_process(tree, [*analyze_args, "--json"], env)
    failed = [r for s in (first, cold, helps) for r in s.runs if r.exit_code] + ([as_json] if as_json.exit_code else [])
    return {"label": label, "tree": str(tree), "first_run": first.summary(), "cold_analyze": cold.summary(),
            "help": helps.summary(), "answer": answer(as_json) if not as_json.exit_code else None,
            "errors": [r.stderr[-800:] for r in failed]}


def worktree(revision: str, work: Path) -> Path:
    path = work / "worktree"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(path), revision], check=True)
    return path


def print_table(results: list[dict]) -> None:
    print(f"{'tree':<18} {'what':<14} {'median s':>9} {'min s':>7} {'max s':>7} {'CPU s':>7} {'peak RSS MB':>12} "
          f"{'n':>3} {'load before/after':>18}")
    for result in results:
        for key in ("first_run", "cold_analyze", "help"):
            s = result[key]
            print(f"{result['label']:<18} {key:<14} {s['median_s']:>9.3f} {s['min_s']:>7.3f} {s['max_s']:>7.3f} "
                  f"{s['median_cpu_s']:>7.3f} {s['peak_rss_mb']:>12.1f} {s['n']:>3} "
                  f"{s['load_before']:>9.2f}/{s['load_after']:.2f}")
        for error in result["errors"]:
            print(f"  {result['label']} error: {error}")
    if len(results) == 2:
        old, new = (r["answer"] or {} for r in results)
        for field in ("name", "confidence", "candidates"):
            same = old.get(field) == new.get(field)
            shown = "" if field == "candidates" else f" ({old.get(field)!r} / {new.get(field)!r})"
            print(f"{field} in both trees: {'same' if same else 'DIFFERENT'}{shown}")
    print(f"{os.cpu_count()} CPUs; targets: cold analyze <= 1.5 s, --help <= 0.3 s, peak RSS <= 300 MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rev", help="Also measure this git revision (in a temporary worktree), e.g. HEAD~3.")
    parser.add_argument("--json", action="store_true", help="Print the results as JSON.")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="gene-r1-cold-") as tmp:
        work = Path(tmp)
        results = []
        if args.rev:
            old = worktree(args.rev, work)
            try:
                results.append(measure(old, args.rev, args.repeats, work))
            finally:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)], check=False)
        results.append(measure(ROOT, "this tree", args.repeats, work))
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print_table(results)


if __name__ == "__main__":
    main()
