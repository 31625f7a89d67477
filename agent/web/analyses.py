"""Single analyses as jobs: `POST /api/analyze` stores a job and answers at once; a bounded pool of worker
threads runs the jobs; the client polls, long-polls (`?wait=`) or streams (SSE) until the result is there.

Why: the embedded model takes tens of seconds per analysis on 2 cores (195 s measured with clients queued
behind one another), and a request that holds its socket that long looks hung. Here every request returns
within `MAX_WAIT_S`; a full waiting room answers 429 with `Retry-After` instead of queueing without bound.

Each job is a folder `<home>/analyses/<id>/` holding `job.json` (written and fsynced before the 202) and, once
done, `result.json`. A killed server therefore loses no accepted job: the next start re-queues every job that was
queued or running. Finished jobs older than `RETENTION_S` are removed at start.
"""

from __future__ import annotations

import json
import logging
import math
import shutil
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace

from gene_r1.agent.context import AgentContext
from gene_r1.agent.web.jobs import FolderStore, JobNotFoundError, write_json_atomic

log = logging.getLogger("gene_r1.web.analyses")

RESULT_FILE = "result.json"
MAX_WAIT_S = 30.0
RETENTION_S = 7 * 24 * 3600
FINISHED = ("done", "failed")


@dataclass(frozen=True)
class AnalysisJob:
    id: str
    genes: list[str]
    created: float
    state: str = "queued"  # queued | running | done | failed
    started: float | None = None
    finished: float | None = None
    error: str = ""
    # For a failed job: 503 when the knowledge base or the model is unavailable (fixable, retry later), else 500.
    error_status: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


class AnalysisStore(FolderStore[AnalysisJob]):
    record_type = AnalysisJob

    def create(self, genes: Sequence[str]) -> AnalysisJob:
        job_id, _ = self.new_folder()
        job = AnalysisJob(id=job_id, genes=list(genes), created=time.time())
        self.save(job)
        return job

    def save_result(self, job: AnalysisJob, result: dict) -> None:
        write_json_atomic(self.folder(job.id) / RESULT_FILE, result)

    def result(self, job: AnalysisJob) -> dict | None:
        path = self.folder(job.id) / RESULT_FILE
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None

    def prune(self, older_than: float) -> int:
        """Remove finished jobs created before `older_than` (a Unix time); returns how many."""
        old = [job for job in self.all() if job.state in FINISHED and job.created < older_than]
        for job in old:
            shutil.rmtree(self.folder(job.id), ignore_errors=True)
        return len(old)


class QueueFullError(RuntimeError):
    """The waiting room is full; `retry_after` is a guess, in whole seconds, of when a place frees up."""

    def __init__(self, retry_after: int, size: int):
        super().__init__(f"The analysis queue is full ({size} waiting); retry in about {retry_after} s.")
        self.retry_after = retry_after


@dataclass
class _Queue:
    waiting: deque[str] = field(default_factory=deque)
    running: set[str] = field(default_factory=set)
    stopping: bool = False


class AnalysisPool:
    """`workers` threads that run analysis jobs in arrival order; at most `max_waiting` jobs wait for one.

    The threads share one agent context, whose model is behind a lock (`SerialModel`): evidence gathering of one
    job overlaps the model call of another, and the model runs one call at a time.
    """

    def __init__(
        self,
        store: AnalysisStore,
        context: Callable[[], AgentContext],
        *,
        workers: int = 2,
        max_waiting: int = 32,
    ):
        self.store = store
        self.context = context
        self.workers = workers
        self.max_waiting = max_waiting
        self._queue = _Queue()
        self._changed = threading.Condition()
        self._threads: list[threading.Thread] = []
        self._seconds: deque[float] = deque([2.0], maxlen=20)  # recent run times, for Retry-After

    def start(self) -> list[str]:
        """Start the threads; returns the ids of the unfinished jobs they resume (these bypass the bound)."""
        pruned = self.store.prune(time.time() - RETENTION_S)
        if pruned:
            log.info("removed %d finished analysis job(s) older than %d days", pruned, RETENTION_S // 86400)
        resumed = [job.id for job in self.store.unfinished()]
        with self._changed:
            self._queue = _Queue(waiting=deque(resumed))
        self._threads = [
            threading.Thread(target=self._loop, name=f"gene-r1-analysis-{i}", daemon=True) for i in range(self.workers)
        ]
        for thread in self._threads:
            thread.start()
        return resumed

    def stop(self, timeout: float = 5.0) -> None:
        """Stop taking jobs; a job cut short stays `running` on disk and is re-run at the next start."""
        with self._changed:
            self._queue.stopping = True
            self._changed.notify_all()
        for thread in self._threads:
            thread.join(timeout)

    def submit(self, genes: Sequence[str]) -> AnalysisJob:
        """Store a new job (on disk before this returns) and queue it, or raise `QueueFullError`."""
        with self._changed:
            if len(self._queue.waiting) >= self.max_waiting:
                raise QueueFullError(self.retry_after(), len(self._queue.waiting))
            job = self.store.create(genes)
            self._queue.waiting.append(job.id)
            self._changed.notify_all()
        return job

    def retry_after(self) -> int:
        """Seconds until one of the workers is likely free: the recent mean run time over the number of workers."""
        return max(1, math.ceil(sum(self._seconds) / len(self._seconds) / self.workers))

    def position(self, job_id: str) -> int | None:
        """1 for the next job to start, 2 for the one after ...; None when the job is not waiting."""
        with self._changed:
            waiting = list(self._queue.waiting)
        return waiting.index(job_id) + 1 if job_id in waiting else None

    def is_active(self, job_id: str) -> bool:
        """Whether this process will still run (or is running) the job."""
        with self._changed:
            return job_id in self._queue.running or job_id in self._queue.waiting

    def wait(self, job_id: str, timeout: float) -> bool:
        """Block until the job leaves the queue (finished) or `timeout` seconds pass; True when it finished."""
        with self._changed:
            return self._changed.wait_for(
                lambda: job_id not in self._queue.running and job_id not in self._queue.waiting, timeout
            )

    def _next(self) -> str | None:
        with self._changed:
            self._changed.wait_for(lambda: self._queue.waiting or self._queue.stopping)
            if self._queue.stopping:
                return None
            job_id = self._queue.waiting.popleft()
            self._queue.running.add(job_id)
            return job_id

    def _loop(self) -> None:
        while (job_id := self._next()) is not None:
            try:
                self.run(self.store.get(job_id))
            except (JobNotFoundError, ValueError, TypeError) as error:  # deleted or unreadable job.json
                log.error("analysis job %s cannot run: %s", job_id, error)
            finally:
                with self._changed:
                    self._queue.running.discard(job_id)
                    self._changed.notify_all()

    def run(self, job: AnalysisJob) -> AnalysisJob:
        from gene_r1.agent.api import analyze
        from gene_r1.agent.model import ModelError
        from gene_r1.knowledge_base.store import KnowledgeBaseError

        if self.store.result(job) is not None:  # killed between writing the result and marking the job done
            job = replace(job, state="done", finished=job.finished or time.time())
            self.store.save(job)
            return job
        started = time.perf_counter()
        job = replace(job, state="running", started=time.time())
        self.store.save(job)
        try:
            result = analyze(job.genes, context=self.context()).to_dict()
            self.store.save_result(job, result)
            job = replace(job, state="done", finished=time.time())
        except Exception as error:  # noqa: BLE001 - any failure is recorded on the job, for the client to read
            log.exception("analysis job %s failed", job.id)
            unavailable = isinstance(error, KnowledgeBaseError | ModelError)
            job = replace(
                job,
                state="failed",
                finished=time.time(),
                error=f"{type(error).__name__}: {error}" if not unavailable else str(error),
                error_status=503 if unavailable else 500,
            )
        self.store.save(job)
        with self._changed:
            self._seconds.append(time.perf_counter() - started)
        return job
