"""Speed of the embedded model on this machine: conversion, cached load, greedy tokens/s (single and batch 8), RSS.

    .venv/bin/python benchmarks/model_speed.py                 # convert into a fresh temporary data home first
    .venv/bin/python benchmarks/model_speed.py --home DIR      # use (and convert once into) DIR
    .venv/bin/python benchmarks/model_speed.py --threads 2 --max-new-tokens 128 --repeats 3

Targets (issue 3): cached load <= 3 s; batch-8 throughput >= 3x single-stream tokens/s. The two CPU cores are
shared: the load average is printed before and after, and timings taken under load are not comparable.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.gene_sets import GENE_SETS  # noqa: E402


def peak_rss_mib(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


def current_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def convert(home: Path) -> dict:
    """Convert in a child process, so that its peak memory is measured apart from the runtime's."""
    from gene_r1.agent.embedded import EMBEDDED_DIR_NAME, is_complete

    if is_complete(home / "models" / EMBEDDED_DIR_NAME):
        return {"conversion": "already converted (not timed)"}
    env = {**os.environ, "GENE_R1_HOME": str(home)}
    code = "from agent.embedded import embedded_model_dir; embedded_model_dir()"
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=Path(__file__).resolve().parents[1])
    return {
        "conversion_seconds": round(time.perf_counter() - started, 1),
        "conversion_peak_rss_mib": round(peak_rss_mib(resource.RUSAGE_CHILDREN)),
    }


def measure(home: Path, threads: int | None, max_new_tokens: int, repeats: int) -> dict:
    os.environ["GENE_R1_HOME"] = str(home)
    started = time.perf_counter()
    import torch  # noqa: F401  (timed apart from the load itself)
    import transformers  # noqa: F401

    from gene_r1.agent.backends.transformers_backend import TransformersBackend
    from gene_r1.agent.model import GenerationConfig, ModelConfig
    from gene_r1.agent.prompts import task_messages

    imports_s = time.perf_counter() - started
    config = ModelConfig(adapter="none", threads=threads)
    loads, backend = [], None
    for _ in range(repeats):
        backend = None  # free the previous copy first, so that peak RSS is one model's
        started = time.perf_counter()
        backend = TransformersBackend.load(config)
        loads.append(time.perf_counter() - started)
    rss_after_load = current_rss_mib()
    settings = GenerationConfig(max_new_tokens=max_new_tokens)
    backend.generate(task_messages(GENE_SETS[0]), GenerationConfig(max_new_tokens=4))  # warm-up
    single, batch = [], []
    for _ in range(repeats):
        one = backend.generate(task_messages(GENE_SETS[0]), settings)
        single.append(one.completion_tokens / one.seconds)
        eight = backend.generate_batch([task_messages(genes) for genes in GENE_SETS], settings)
        batch.append(sum(g.completion_tokens for g in eight) / eight[0].seconds)
    return {
        "imports_seconds": round(imports_s, 2),
        "cached_load_seconds": [round(s, 2) for s in loads],
        "single_tokens_per_s": [round(r, 1) for r in single],
        "batch8_tokens_per_s": [round(r, 1) for r in batch],
        "batch_speedup_median": round(statistics.median(batch) / statistics.median(single), 2),
        "rss_after_load_mib": round(rss_after_load),
        "runtime_peak_rss_mib": round(peak_rss_mib()),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "(default)"),
        "threads": backend.info()["threads"],
        "max_new_tokens": max_new_tokens,
        "last_single_completion_tokens": one.completion_tokens,
        "last_batch_completion_tokens": [g.completion_tokens for g in eight],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, help="data home to use (default: a fresh temporary one)")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--max-new-tokens", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gene-r1-speed-") as scratch:
        home = args.home or Path(scratch)
        report = {"load_average_before": os.getloadavg(), **convert(home)}
        report.update(measure(home, args.threads, args.max_new_tokens, args.repeats))
        report["load_average_after"] = os.getloadavg()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
