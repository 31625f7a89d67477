"""Time the first `gene-r1 analyze` of a new user: empty cache, no network, no gene-r1 environment variable.

    .venv/bin/python benchmarks/first_run.py [--repeats 1] [--json]

Each repeat runs the README's first command in a subprocess whose cache directory (XDG_CACHE_HOME) is a fresh,
empty temporary directory and from whose environment every GENE_R1_* variable is removed, so the knowledge base is
built from the releases embedded in the package, then runs it again on the same home (the steady state). Prints the
wall time of both, and the build's own line ("Knowledge base ready: ... in N s"). Timings are only meaningful when
nothing else competes for the CPU: the 1-minute load average is printed with them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GENES = ["CDK1", "CCNB1", "CCNA2", "PLK1", "AURKA", "BUB1", "MAD2L1", "CDC20"]
_READY = re.compile(r"Knowledge base ready: .* in (\d+) s")


def run_once(cache: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GENE_R1_")}
    env["XDG_CACHE_HOME"] = str(cache)
    command = [str(ROOT / ".venv" / "bin" / "gene-r1"), "analyze", *GENES]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=cache)
    seconds = time.perf_counter() - started
    ready = _READY.search(done.stderr)
    return {"seconds": round(seconds, 1), "exit_code": done.returncode,
            "kb_build_seconds": int(ready.group(1)) if ready else None,
            "announced": [line for line in done.stderr.splitlines() if line.startswith(("First run", "Knowledge"))],
            "answer": next((line.strip() for line in done.stdout.splitlines() if line.strip()), ""),
            "stderr_tail": done.stderr[-600:] if done.returncode else ""}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="Print the runs as JSON.")
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    runs = []
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory(prefix="gene-r1-first-run-") as cache:
            runs.append({"first": run_once(Path(cache)), "second": run_once(Path(cache))})
    if args.json:
        print(json.dumps({"load_before": load_before, "cpus": os.cpu_count(), "runs": runs}, indent=2))
        return
    print(f"1-min load average before {load_before:.2f}, after {os.getloadavg()[0]:.2f}, on {os.cpu_count()} CPUs")
    for label in ("first", "second"):
        values = [r[label]["seconds"] for r in runs]
        spread = f" (min {min(values):.1f}, max {max(values):.1f})" if len(values) > 1 else ""
        print(f"{label} analyze: {statistics.median(values):6.1f} s{spread}")
    builds = [r["first"]["kb_build_seconds"] for r in runs if r["first"]["kb_build_seconds"] is not None]
    if builds:
        print(f"  of which the knowledge-base build: {statistics.median(builds)} s")
    last = runs[-1]["first"]
    print("announced:", *last["announced"], sep="\n  ")
    print(f"answer: {last['answer']!r} (exit code {last['exit_code']})")
    if last["exit_code"]:
        print(last["stderr_tail"], file=sys.stderr)


if __name__ == "__main__":
    main()
