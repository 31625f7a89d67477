"""Resumable batch runs: one JSON line per finished gene set, appended and fsynced, so a killed run loses
nothing and a re-run skips what is done.

Generation is batched: a chunk of sets is prepared (normalised, evidence gathered) first, the model proposes
names for the whole chunk in one batched call, then each set is verified and reported on its own.

`analyse_chunk` is the one piece of per-chunk work; the local engine (`run_batch`) and the Ray actors
(`agent.batch.ray_engine`) both call it, and only the driver writes what it returns, through `results_writer`.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from gene_r1.agent.api import analysis_from_state
from gene_r1.agent.batch.inputs import GeneSetInput
from gene_r1.agent.batch.lock import exclusive_output
from gene_r1.agent.batch.progress import Progress, ProgressFactory, terminal_progress
from gene_r1.agent.context import AgentContext
from gene_r1.knowledge_base.fileio import append_jsonl, complete_lines, resume_jsonl
from gene_r1.tools.formatting import count_text

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
    return {record["id"] for record in resume_jsonl(results_path)}


def read_results(results_path: Path) -> list[dict]:
    return [json.loads(line) for line in complete_lines(results_path)] if results_path.exists() else []


def append_record(handle, record: dict) -> None:
    append_jsonl(handle, record)


@dataclass
class ResultsWriter:
    """The driver's append-only results.jsonl: each id is written once, however often a chunk is delivered."""

    path: Path
    handle: IO[str]
    done: set[str]
    written: int = 0
    failed: int = 0
    started: float = field(default_factory=time.perf_counter)

    def pending(self, sets: Sequence[GeneSetInput]) -> list[GeneSetInput]:
        return [s for s in sets if s.id not in self.done]

    def write(self, record: dict) -> bool:
        if record["id"] in self.done:
            return False
        append_record(self.handle, record)
        self.done.add(record["id"])
        self.written += 1
        self.failed += bool(record.get("error"))
        return True

    def summary(self, total: int, pending: int) -> BatchSummary:
        return BatchSummary(
            total=total,
            skipped=total - pending,
            analysed=pending,
            failed=self.failed,
            seconds=time.perf_counter() - self.started,
            results_path=self.path,
        )


@contextmanager
def results_writer(out_dir: Path) -> Iterator[ResultsWriter]:
    """Lock `out_dir` against a second run, repair a torn last line, and open results.jsonl for appending."""
    with exclusive_output(out_dir):
        path = out_dir / RESULTS_FILE
        done = finished_ids(path)
        with path.open("a", encoding="utf-8") as handle:
            yield ResultsWriter(path, handle, done)


def chunked(items: Sequence[GeneSetInput], size: int) -> list[list[GeneSetInput]]:
    if size < 1:
        raise ValueError(f"batch size must be >= 1, not {size}")
    return [list(items[offset : offset + size]) for offset in range(0, len(items), size)]


@contextmanager
def progress_of(factory: ProgressFactory, total: int, initial: int) -> Iterator[Progress]:
    """The run's progress (`agent.batch.progress`: a bar on a terminal, lines in a log), closed at the end."""
    progress = factory(total, initial)
    try:
        yield progress
    finally:
        progress.close()


def run_batch(
    sets: Sequence[GeneSetInput],
    out_dir: Path,
    *,
    context: AgentContext,
    batch_size: int = 8,
    workers: int = 1,
    show_progress: bool = True,
    progress: ProgressFactory | None = None,
) -> BatchSummary:
    """The local engine: chunks one after another in this process. Progress goes to stderr (`show_progress`),
    or wherever `progress` sends it (the web server's job log)."""
    with results_writer(out_dir) as writer:
        pending = writer.pending(sets)
        factory = progress or terminal_progress(show_progress)
        with progress_of(factory, len(sets), len(sets) - len(pending)) as bar:
            for chunk in chunked(pending, batch_size):

                def written(record: dict) -> None:
                    writer.write(record)
                    bar.update(1)

                analyse_chunk(chunk, context, workers=workers, on_record=written, on_phase=bar.phase)
        return writer.summary(len(sets), len(pending))


def analyse_chunk(chunk: Sequence[GeneSetInput], context: AgentContext, *, workers: int = 1,
                  on_record: Callable[[dict], None] | None = None,
                  on_phase: Callable[[str], None] | None = None) -> list[dict]:
    """The records (results.jsonl lines) of one chunk, in its order. A set that fails for its own reason
    (no known genes, ...) gets a record with `error`, like any other. `on_record` receives each record as soon as
    its set is finished (progress advances per set, and the local engine writes it at once)."""
    prepare, finish = _graphs()
    announce = on_phase or (lambda phase: None)
    records = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        announce(f"evidence for {count_text(len(chunk), 'set')}")
        states = list(pool.map(lambda s: prepare.invoke({"input_genes": list(s.genes)}, context=context), chunk))
        announce(f"judging {count_text(len(chunk), 'set')}")
        states = propose_batch(states, context, pool.map)
        announce("verifying")
        for item, state in zip(chunk, pool.map(lambda state: finish.invoke(state, context=context), states),
                               strict=True):
            records.append(analysis_from_state(state, item.id).to_dict() | item.record_fields())
            if on_record is not None:
                on_record(records[-1])
    return records


@functools.cache
def _graphs():
    """Compiled once per process (an actor analyses many chunks)."""
    from gene_r1.agent.graph import build_graph, build_prepare_graph

    return build_prepare_graph(), build_graph()


def propose_batch(states: list[dict], context: AgentContext, parallel_map: Callable = map) -> list[dict]:
    """Judge every analysable state of a chunk: rank each set's candidates, then one batched model call for all
    the shortlists (an explanation is never asked for in batch). With `--selection model`, the sets are then
    assessed (through `parallel_map`) and the naming model drafts their names in one more batched call."""
    from gene_r1.agent.judge import judge_many
    from gene_r1.agent.nodes.judge import judgement_update, ranked_candidates

    ready = [i for i, state in enumerate(states) if not state.get("error")]
    if not ready:
        return states
    started = time.perf_counter()
    ranked = {i: ranked_candidates(states[i], context) for i in ready}
    judgements = judge_many([(states[i]["genes"], ranked[i]) for i in ready], context.ranker.settings,
                            context.judge_model)
    share = (time.perf_counter() - started) / len(ready)
    updated = list(states)
    for i, judgement in zip(ready, judgements, strict=True):
        updated[i] = timed_share(states[i], "judge", share) | judgement_update(ranked[i], judgement)
    if context.config.selection == "model":
        updated = draft_names_batch(assess_batch(updated, ready, context, parallel_map), ready, context)
    return updated


def assess_batch(states: list[dict], ready: list[int], context: AgentContext, parallel_map: Callable = map
                 ) -> list[dict]:
    """The assess node on each judged set (model-free: on the batch's worker threads through `parallel_map`),
    before the batched naming call, which needs each verdict; the graph then starts past the assessment
    (`agent.graph.start`)."""
    from gene_r1.agent.flow import Runtime
    from gene_r1.agent.nodes.assess import assess
    from gene_r1.agent.state import merge_timings

    runtime = Runtime(context=context)
    updated = list(states)
    for i, update in zip(ready, parallel_map(lambda i: assess(states[i], runtime), ready), strict=True):
        updated[i] = {**states[i], **update, "timings": merge_timings(states[i].get("timings", {}),
                                                                       update["timings"])}
    return updated


def draft_names_batch(states: list[dict], ready: list[int], context: AgentContext) -> list[dict]:
    """With `--selection model`: the naming model drafts, in one batched generation, the name of every assessed
    set it is to name (`agent.graph.model_names`: none for a set with no coherent function); each set's name node
    then reads its draft."""
    from gene_r1.agent.graph import model_names
    from gene_r1.agent.naming import draft_names, naming_shortlist
    from gene_r1.knowledge_base.gene_names import full_names

    named = [i for i in ready if model_names(states[i], context.config.selection)]
    if not named:
        return states
    started = time.perf_counter()
    drafts = draft_names([(states[i]["genes"], naming_shortlist(states[i]["candidates"]),
                           full_names(states[i]["genes"], context.kb.store)) for i in named], context.naming_model)
    share = (time.perf_counter() - started) / len(named)
    updated = list(states)
    for i, draft in zip(named, drafts, strict=True):
        updated[i] = timed_share(states[i], "name", share) | {"naming_draft": draft}
    return updated


def timed_share(state: dict, node: str, seconds: float) -> dict:
    """The state with `seconds` (its share of a batched call) added to `node`'s time."""
    timings = dict(state.get("timings", {}))
    timings[node] = timings.get(node, 0.0) + seconds
    return {**state, "timings": timings}
