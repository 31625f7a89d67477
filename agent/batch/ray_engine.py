"""The Ray engine: chunks of gene sets analysed by Ray actors across a cluster, written by the driver alone.

Each actor builds one `AgentContext` from the `AgentConfig` it is given (the knowledge base opened and the model
loaded once) and runs `analyse_chunk` on chunk after chunk, the same function the local engine runs. The driver
keeps one chunk in flight per actor and appends the records it gets back through `results_writer`, so
results.jsonl, resuming and the output lock behave exactly as in the local engine.

The knowledge base reaches the actors by a shared path, not the object store: `config.home` (the data home) is
resolved on the driver to an absolute path, built there if missing, and every node must see it at that path
(a network filesystem, or a copy made with `gene-r1 kb build` / rsync on each node). The store and index are opened
read-only by every actor; only the embedded model may be converted into it once, by the driver, before actors start.

Faults: an actor that dies mid-chunk (SIGKILL, OOM, a lost node) is replaced and its chunk is resubmitted, at most
`MAX_ATTEMPTS` times; the driver writes each id once, so a chunk delivered twice is not duplicated. A set that fails
for its own reason (no known genes) comes back as a record with `error` and is written once, like any record.
A Python exception inside `analyse_chunk` is a bug, not a fault: it stops the run, as it does locally.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from gene_r1.agent.batch.inputs import GeneSetInput
from gene_r1.agent.batch.progress import ProgressFactory, terminal_progress
from gene_r1.agent.batch.runner import BatchSummary, analyse_chunk, chunked, progress_of, results_writer
from gene_r1.agent.config import AgentConfig

RAY_MISSING = "The Ray engine needs Ray, an optional extra: pip install -e '.[ray]'"
MAX_ATTEMPTS = 3
# Variables the actors need to behave like the driver (offline switches, thread counts); the rest stays local.
FORWARDED_ENV_PREFIXES = ("GENE_R1_", "HF_", "TRANSFORMERS_", "TOKENIZERS_", "ANONYMIZED_TELEMETRY")


@dataclass(frozen=True)
class RayOptions:
    """address: None starts a local Ray on this machine's cores; "auto", "HOST:PORT" or "ray://HOST:PORT" joins one.
    actors: how many actors (default: as many as the cluster's CPUs, or GPUs / gpus_per_actor, allow).
    cpus_per_actor / gpus_per_actor: the resources each actor reserves."""

    address: str | None = None
    actors: int | None = None
    cpus_per_actor: float = 1.0
    gpus_per_actor: float = 0.0


class ChunkWorker:
    """A Ray actor: loads the knowledge base and the model once, then analyses chunk after chunk."""

    def __init__(self, config: AgentConfig):
        from gene_r1.agent.context import AgentContext
        from gene_r1.knowledge_base.paths import store_path

        if not store_path(config.home).exists():
            raise RuntimeError(
                f"No knowledge base at {store_path(config.home)} on node {os.uname().nodename}: the data home must be "
                "a shared path that every node sees (or a copy at the same path on each node)."
            )
        self.context = AgentContext(config=config)
        self.context.kb  # noqa: B018 (open now: a missing or broken KB fails the actor, not a chunk)
        # The model loads on the first chunk (once: the context caches it), as only the analysis knows which it needs.

    def analyse(self, chunk: list[GeneSetInput], workers: int) -> list[dict]:
        return analyse_chunk(chunk, self.context, workers=workers)

    def pid(self) -> int:
        return os.getpid()


def import_ray():
    try:
        import ray
    except ImportError as error:
        raise RuntimeError(RAY_MISSING) from error
    return ray


def worker_config(config: AgentConfig) -> AgentConfig:
    """The config as actors must see it: the data home and local model/adapter paths made absolute."""
    from gene_r1.knowledge_base.paths import data_home

    def absolute(value: str | None) -> str | None:
        return str(Path(value).resolve()) if value and Path(value).exists() else value

    home = (config.home or data_home()).expanduser().resolve()
    return dataclasses.replace(config, home=home, model=absolute(config.model), adapter=absolute(config.adapter))


def prepare_shared_home(config: AgentConfig) -> None:
    """Build what every actor would otherwise build at once: the knowledge base, and the embedded model's copy
    when the judge will call the model (at the shipped weight of 0 it never does, and nothing is converted)."""
    from gene_r1.agent.context import AgentContext
    from gene_r1.knowledge_base.paths import store_path

    context = AgentContext(config=config)
    if not store_path(config.home).exists():
        context._build_knowledge_base()
    if config.backend == "transformers" and config.model is None and context.judge_model_needed:
        from gene_r1.agent.embedded import embedded_model_dir

        embedded_model_dir(config.home)


def connect(ray, address: str | None, env: dict[str, str]) -> bool:
    """Join the cluster at `address`, or start a local Ray on this machine's cores. True if we started one."""
    if ray.is_initialized():
        return False
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    runtime_env = {"env_vars": env}
    if address:
        ray.init(address=address, log_to_driver=False, runtime_env=runtime_env)
    else:
        ray.init(num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False, runtime_env=runtime_env)
    return True


def actor_count(ray, options: RayOptions, chunks: int) -> int:
    """As many actors as asked for (default: as many as fit), but no more than fit: an actor that cannot be placed
    would hold its chunk forever."""
    resources = ray.cluster_resources()
    fit = int(resources.get("CPU", 0) // options.cpus_per_actor)
    if options.gpus_per_actor:
        fit = min(fit, int(resources.get("GPU", 0) // options.gpus_per_actor))
    if fit < 1:
        raise RuntimeError(
            f"No Ray actor fits the cluster ({resources.get('CPU', 0):g} CPUs, {resources.get('GPU', 0):g} GPUs) with "
            f"{options.cpus_per_actor:g} CPU and {options.gpus_per_actor:g} GPU per actor."
        )
    if options.actors and options.actors > fit:
        print(f"gene-r1: only {fit} actors fit the cluster; using {fit}, not {options.actors}.", file=sys.stderr)
    return max(1, min(options.actors or fit, fit, chunks))


def actor_env(config: AgentConfig) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.startswith(FORWARDED_ENV_PREFIXES)}
    env["GENE_R1_HOME"] = str(config.home)  # where the model loader looks for the embedded model's copy
    return env


def run_batch_ray(
    sets: Sequence[GeneSetInput],
    out_dir: Path,
    *,
    config: AgentConfig,
    options: RayOptions = RayOptions(),
    batch_size: int = 8,
    workers: int = 1,
    show_progress: bool = True,
    progress: ProgressFactory | None = None,
) -> BatchSummary:
    """Like `run_batch`, on Ray actors. Ctrl-C kills the actors (and stops the Ray we started) before it returns.
    Progress is the driver's (a bar on a terminal, a line at most every 10 s in a log); actors print none."""
    ray = import_ray()
    config = worker_config(config)
    with results_writer(out_dir) as writer:
        pending = writer.pending(sets)
        chunks = chunked(pending, batch_size)
        if not chunks:
            return writer.summary(len(sets), 0)
        prepare_shared_home(config)
        started_ray = connect(ray, options.address, actor_env(config))
        actor_class = ray.remote(ChunkWorker).options(
            num_cpus=options.cpus_per_actor, num_gpus=options.gpus_per_actor, max_restarts=0
        )
        actors: list = []
        try:
            actors = [actor_class.remote(config) for _ in range(actor_count(ray, options, len(chunks)))]
            factory = progress or terminal_progress(show_progress)
            with progress_of(factory, len(sets), len(sets) - len(pending)) as bar:

                def write(records: list[dict]) -> None:
                    bar.update(sum(writer.write(record) for record in records))

                def replace(actor):
                    ray.kill(actor, no_restart=True)
                    actors.remove(actor)
                    actors.append(actor_class.remote(config))
                    return actors[-1]

                drive(ray, chunks, list(actors), write, replace, workers)
        finally:
            for actor in actors:
                ray.kill(actor, no_restart=True)
            if started_ray:
                ray.shutdown()
        return writer.summary(len(sets), len(pending))


def drive(ray, chunks: list[list[GeneSetInput]], idle: list, write, replace, workers: int) -> None:
    """One chunk in flight per actor; a chunk whose actor died goes back to the front of the queue."""
    queue = deque((chunk, 1) for chunk in chunks)
    in_flight: dict = {}
    while queue or in_flight:
        while queue and idle:
            actor, (chunk, attempt) = idle.pop(), queue.popleft()
            in_flight[actor.analyse.remote(chunk, workers)] = (actor, chunk, attempt)
        ready, _ = ray.wait(list(in_flight), num_returns=1, timeout=1.0)  # a timeout keeps Ctrl-C responsive
        for ref in ready:
            actor, chunk, attempt = in_flight.pop(ref)
            try:
                records = ray.get(ref)
            except ray.exceptions.RayActorError as error:
                if attempt >= MAX_ATTEMPTS:
                    ids = ", ".join(item.id for item in chunk)
                    raise RuntimeError(
                        f"Sets {ids} lost their Ray actor {attempt} times; last error: {error}"
                    ) from None
                print(
                    f"gene-r1: a Ray actor died ({type(error).__name__}); resubmitting "
                    f"{', '.join(item.id for item in chunk)} (attempt {attempt + 1} of {MAX_ATTEMPTS})",
                    file=sys.stderr,
                    flush=True,
                )
                idle.append(replace(actor))
                queue.appendleft((chunk, attempt + 1))
                continue
            write(records)
            idle.append(actor)
