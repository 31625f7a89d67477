"""Resumable batch runs: one JSON line per finished gene set, appended and fsynced, so a killed run loses
nothing and a re-run skips what is done.

Generation is batched: a chunk of sets is prepared (normalised, evidence gathered) first, the model proposes
names for the whole chunk in one batched call, then each set is verified and reported on its own.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from agent.api import analysis_from_state
from agent.batch.inputs import GeneSetInput
from agent.context import AgentContext

RESULTS_FILE = "results.jsonl"


@dataclass(frozen=True)
class BatchSummary:
    total: int
    skipped: int
    analysed: int
    failed: int
    seconds: float
    results_path: Path


def finished_ids(results_path: Path) -> set[str]:
    """Ids already in results.jsonl. A line torn by a kill mid-write is cut off, so appends stay valid."""
    if not results_path.exists():
        return set()
    data = results_path.read_bytes()
    if data and not data.endswith(b"\n"):
        with results_path.open("r+b") as handle:
            handle.truncate(data.rfind(b"\n") + 1)
        data = data[: data.rfind(b"\n") + 1]
    done = set()
    for line in data.decode("utf-8").splitlines():
        if line.strip():
            done.add(json.loads(line)["id"])
    return done


def read_results(results_path: Path) -> list[dict]:
    if not results_path.exists():
        return []
    return [json.loads(line) for line in results_path.read_text(encoding="utf-8").splitlines() if line.strip()]


def append_record(handle, record: dict) -> None:
    handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    handle.flush()
    os.fsync(handle.fileno())


def run_batch(
    sets: Sequence[GeneSetInput],
    out_dir: Path,
    *,
    context: AgentContext,
    batch_size: int = 8,
    workers: int = 1,
    show_progress: bool = True,
) -> BatchSummary:
    from tqdm import tqdm

    from agent.graph import build_graph, build_prepare_graph

    out_dir.mkdir(parents=True, exist_ok=True)
    results_path = out_dir / RESULTS_FILE
    done = finished_ids(results_path)
    pending = [s for s in sets if s.id not in done]
    prepare, finish = build_prepare_graph(), build_graph()
    started, failed = time.perf_counter(), 0
    progress = tqdm(total=len(sets), initial=len(sets) - len(pending), unit="set", disable=not show_progress)
    with results_path.open("a", encoding="utf-8") as handle, ThreadPoolExecutor(max_workers=workers) as pool:
        for offset in range(0, len(pending), batch_size):
            chunk = pending[offset : offset + batch_size]
            states = list(pool.map(lambda s: prepare.invoke({"input_genes": list(s.genes)}, context=context), chunk))
            states = propose_batch(states, context)
            finished = list(pool.map(lambda state: finish.invoke(state, context=context), states))
            for item, state in zip(chunk, finished, strict=True):
                record = analysis_from_state(state, item.id).to_dict() | {"description": item.description}
                failed += bool(record["error"])
                append_record(handle, record)
                progress.update(1)
    progress.close()
    return BatchSummary(
        total=len(sets),
        skipped=len(sets) - len(pending),
        analysed=len(pending),
        failed=failed,
        seconds=time.perf_counter() - started,
        results_path=results_path,
    )


def propose_batch(states: list[dict], context: AgentContext) -> list[dict]:
    """First proposals for every analysable state in one batched generation call."""
    from agent.model import GenerationConfig
    from agent.nodes.propose import proposal_from_text, proposal_messages

    ready = [i for i, state in enumerate(states) if not state.get("error")]
    if not ready:
        return states
    started = time.perf_counter()
    generations = context.model.generate_batch(
        [proposal_messages(states[i], context.config) for i in ready],
        GenerationConfig(max_new_tokens=context.config.max_new_tokens),
    )
    share = (time.perf_counter() - started) / len(ready)
    updated = list(states)
    for i, generation in zip(ready, generations, strict=True):
        timings = dict(states[i].get("timings", {}))
        timings["propose"] = timings.get("propose", 0.0) + share
        updated[i] = {**states[i], "proposals": [proposal_from_text(generation.text, 0)], "timings": timings}
    return updated
