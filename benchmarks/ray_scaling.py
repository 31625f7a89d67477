"""Batch throughput: the local engine vs the Ray engine with 1 and 2 actors, and a scaling model from the numbers.

Usage: GENE_R1_HOME=... python benchmarks/ray_scaling.py [--sets 16] [--model tiny|PATH] [--batch-size 4]
       [--actors 1,2] [--collection 30000] [--nodes 8] [--cores 16] [--gpus 4] [--gpu-model-s 0.05]

`--model tiny` writes the tests' tiny random Llama (real tokenizer, noise text) so the script runs in a minute;
the default is the embedded model (or GENE_R1_MODEL). Sets are NeST gene sets from ../shared/data (timing only),
taken round again under new ids when --sets asks for more than the file has.

Each run reports its start-up (time to the first finished chunk: Ray start, actors loading the KB and the model)
apart from its steady throughput (sets finished after the first chunk / time since it), because start-up is paid once
per run and throughput is what scales. Throughput is read from results.jsonl as it grows, the driver's only output.

The scaling model (printed at the end, and in the README's "Scale-out"):
    T(S) = start-up + S * c / A,  A = N * C actors of one core each (CPU), or
    T(S) = start-up + S * max(c_rest / (N * C), c_model_gpu / G)  with G GPU actors doing the model step,
with c the measured per-set cost of one 1-core actor, c_rest its model-free part (from the records' timings), and the
driver's cap of 1 / (its measured per-record write cost) sets per second on top.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from gene_r1.agent.batch.inputs import GeneSetInput, read_gene_sets
from gene_r1.agent.batch.runner import append_record, read_results, run_batch
from gene_r1.agent.config import AgentConfig
from gene_r1.agent.context import AgentContext

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
MODEL_STEPS = ("propose", "judge")  # the timings of the batched model step (before and after the judge rewrite)


@dataclass(frozen=True)
class Run:
    label: str
    sets: int
    seconds: float
    startup_s: float
    steady_sets_per_s: float
    model_share: float


class LineClock:
    """Polls results.jsonl: when the first chunk landed and when the last line did."""

    def __init__(self, path: Path, first_chunk: int):
        self.path, self.first_chunk = path, first_chunk
        self.first_at: float | None = None
        self.last_at: float | None = None
        self.lines_after_first = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> LineClock:
        self.started = time.perf_counter()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def _poll(self) -> None:
        while not self._stop.wait(0.02):
            self._sample()

    def _sample(self) -> None:
        lines = self.path.read_bytes().count(b"\n") if self.path.exists() else 0
        now = time.perf_counter()
        if self.first_at is None and lines >= self.first_chunk:
            self.first_at, self.first_lines = now, lines
        if self.first_at is not None and lines > self.first_lines + self.lines_after_first:
            self.last_at, self.lines_after_first = now, lines - self.first_lines


def ray_round_trip(records: list[dict], chunk: int, calls: int = 30) -> float:
    """Seconds per set that Ray's machinery costs: an actor call that takes a chunk of sets and returns their
    records (real ones, from the local run), with no analysis in between."""
    import ray

    from gene_r1.agent.batch.ray_engine import connect

    class Echo:
        def analyse(self, chunk_in, records_out):
            return records_out

    started_ray = connect(ray, None, {})
    try:
        actor = ray.remote(Echo).options(num_cpus=1).remote()
        payload = (records * chunk)[:chunk]
        sets = [GeneSetInput(r["id"], tuple(r.get("input_genes") or r["genes"])) for r in payload]
        ray.get(actor.analyse.remote(sets, payload))  # warm
        started = time.perf_counter()
        for _ in range(calls):
            ray.get(actor.analyse.remote(sets, payload))
        return (time.perf_counter() - started) / (calls * chunk)
    finally:
        if started_ray:
            ray.shutdown()


def measure(label: str, sets: list[GeneSetInput], batch_size: int, run, keep: list | None = None) -> Run:
    with tempfile.TemporaryDirectory() as out:
        path = Path(out) / "results.jsonl"
        with LineClock(path, min(batch_size, len(sets))) as clock:
            run(Path(out))
        seconds = time.perf_counter() - clock.started
        records = read_results(path)
    if keep is not None:
        keep.extend(records)
    steady = clock.lines_after_first / (clock.last_at - clock.first_at) if clock.lines_after_first else float("nan")
    model = sum(r.get("timings", {}).get(step, 0.0) for r in records for step in MODEL_STEPS)
    total = sum(sum(r.get("timings", {}).values()) for r in records)
    return Run(label, len(records), seconds, clock.first_at - clock.started, steady, model / total if total else 0.0)


def driver_write_cost(records: int = 500) -> float:
    """Seconds the driver spends per record (JSON + append + fsync), with a record of realistic size."""
    record = {"id": "x", "name": "y" * 40, "evidence": [{"pathway_id": "R-HSA-1", "overlap_genes": ["G"] * 20}] * 20}
    with tempfile.TemporaryDirectory() as out, (Path(out) / "r.jsonl").open("a") as handle:
        started = time.perf_counter()
        for i in range(records):
            append_record(handle, record | {"id": str(i)})
        return (time.perf_counter() - started) / records


def tiny_model(directory: Path) -> str:
    from gene_r1.agent.embedded import save_embedded_tokenizer, write_tiny_model

    tokenizer = save_embedded_tokenizer(directory / "tokenizer")
    return str(write_tiny_model(directory / "tiny", tokenizer, seed=0))


def cycled(sets: list[GeneSetInput], count: int) -> list[GeneSetInput]:
    """`count` sets, going round the file again (with new ids) when it has fewer: a steady phase long enough to
    measure needs many chunks per actor."""
    return [
        GeneSetInput(f"{item.id}#{i // len(sets)}" if i >= len(sets) else item.id, item.genes, item.description)
        for i, item in ((i, sets[i % len(sets)]) for i in range(count))
    ]


def torch_threads() -> int:
    import torch

    return torch.get_num_threads()


def hours(seconds: float) -> str:
    return f"{seconds / 3600:.2f} h" if seconds >= 3600 else f"{seconds / 60:.1f} min"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", type=int, default=16)
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--model", default=None, help="tiny | a model path/id (default: GENE_R1_MODEL or embedded)")
    parser.add_argument("--actors", default="1,2", help="Ray actor counts to run")
    parser.add_argument("--input", type=Path, default=SHARED / "benchmarks" / "nest_geneagent.tsv")
    parser.add_argument("--collection", type=int, default=30_000, help="sets in the projected run (MSigDB-sized)")
    parser.add_argument("--nodes", type=int, default=8)
    parser.add_argument("--cores", type=int, default=16, help="cores per node (one actor per core)")
    parser.add_argument("--gpus", type=int, default=4)
    parser.add_argument(
        "--gpu-model-s", type=float, default=0.05, help="ASSUMED seconds per set of the model step on one GPU (vllm)"
    )
    parser.add_argument("--local-threads", type=int, help="torch threads for the local engine (default: torch's)")
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    args = parser.parse_args()

    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    scratch = tempfile.TemporaryDirectory()
    model = tiny_model(Path(scratch.name)) if args.model == "tiny" else args.model
    config = AgentConfig.from_env(model=model)
    sets = cycled(read_gene_sets(args.input), args.sets)
    print(f"{len(sets)} sets, batch size {args.batch_size}, model {args.model or config.model or 'embedded'}, "
          f"{os.cpu_count()} cores")  # fmt: skip

    if args.local_threads:
        import torch

        torch.set_num_threads(args.local_threads)
    context = AgentContext(config=config)
    started = time.perf_counter()
    context.kb, context.model  # noqa: B018
    local_load = time.perf_counter() - started
    local_records: list[dict] = []
    runs = [
        measure(
            "local",
            sets,
            args.batch_size,
            lambda out: run_batch(sets, out, context=context, batch_size=args.batch_size, show_progress=False),
            keep=local_records,
        )
    ]
    from gene_r1.agent.batch.ray_engine import RayOptions, run_batch_ray

    for count in [int(n) for n in args.actors.split(",") if n]:
        options = RayOptions(actors=count)
        runs.append(
            measure(
                f"ray x{count}",
                sets,
                args.batch_size,
                lambda out, o=options: run_batch_ray(
                    sets, out, config=config, options=o, batch_size=args.batch_size, show_progress=False
                ),
            )
        )
    write_s = driver_write_cost()
    trip_s = ray_round_trip(local_records, args.batch_size)
    load = os.getloadavg()

    print(
        f"\nload average during the runs (1/5/15 min): {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}, "
        f"{os.cpu_count()} cores"
    )
    print(f"local engine: torch threads {torch_threads()}; Ray actors: 1 CPU each (Ray sets OMP_NUM_THREADS=1)")
    print(f"local load (KB + model, once per process): {local_load:.1f} s")
    print(f"{'engine':10s} {'sets':>5s} {'wall s':>8s} {'start-up s':>11s} {'steady sets/s':>14s} {'s/set':>7s}")
    for run in runs:
        print(f"{run.label:10s} {run.sets:5d} {run.seconds:8.1f} {run.startup_s:11.1f} {run.steady_sets_per_s:14.3f} "
              f"{1 / run.steady_sets_per_s:7.3f}")  # fmt: skip
    local, ray_runs = runs[0], runs[1:]
    one = next((r for r in ray_runs if r.label == "ray x1"), None)
    if one:
        overhead = 1 / one.steady_sets_per_s - 1 / local.steady_sets_per_s
        print(f"1 Ray actor vs local, steady: {overhead * 1000:+.0f} ms per set (includes thread-count effects); "
              f"start-up {one.startup_s:.1f} s vs local {local.startup_s:.1f} s + load {local_load:.1f} s")  # fmt: skip
    print(f"Ray round trip (chunk of {args.batch_size} sets out, their records back, no analysis): "
          f"{trip_s * 1000:.2f} ms per set")  # fmt: skip
    print(f"driver write cost: {write_s * 1000:.2f} ms per record -> at most {1 / write_s:.0f} sets/s per driver")

    base = one or local
    cost = 1 / base.steady_sets_per_s  # seconds per set for one 1-core actor
    rest = cost * (1 - base.model_share)
    actors = args.nodes * args.cores
    cpu_s = max(args.collection * cost / actors, args.collection * write_s)
    gpu_s = max(
        args.collection * rest / actors, args.collection * args.gpu_model_s / args.gpus, args.collection * write_s
    )
    print(
        f"\nScaling model (from {base.label}: c = {cost:.3f} s per set per 1-core actor, model step "
        f"{base.model_share:.0%} of it; Ray adds {trip_s * 1000:.1f} ms per set, the driver {write_s * 1000:.1f} ms):\n"
        f"  T(S) = start-up + S * c / (N * C);  with GPUs: start-up + S * max(c_rest / (N * C), c_gpu / G)\n"
        f"  {args.collection} sets on {args.nodes} nodes x {args.cores} cores: {hours(cpu_s)} (+ start-up)\n"
        f"  {args.collection} sets with {args.gpus} GPUs (ASSUMED c_gpu = {args.gpu_model_s} s/set) and the same "
        f"{actors} cores for the model-free steps: {hours(gpu_s)} (+ start-up)"
    )
    if args.json:
        payload = {"runs": [run.__dict__ for run in runs], "local_load_s": local_load, "driver_write_s": write_s,
                   "ray_round_trip_s_per_set": trip_s, "load_average": load}  # fmt: skip
        args.json.write_text(json.dumps(payload, indent=2))
    print("(one run each: repeat on a quiet machine before trusting a difference of a few per cent)")


if __name__ == "__main__":
    main()
