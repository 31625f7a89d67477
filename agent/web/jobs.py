"""Batch jobs that survive a restart: each job is a folder under `$GENE_R1_HOME/jobs/<job_id>/` holding the
uploaded file (under a generated name), `job.json` (what to run and how far it got) and the runner's `results.jsonl`.

One worker thread runs jobs one after another. On start it re-queues every job that was queued or running when
the server stopped; `run_batch` skips the sets already in results.jsonl, so nothing is lost or done twice.
`FolderStore` (one folder and one atomically written job.json per job) also keeps single analyses (`analyses.py`).
"""

from __future__ import annotations

import json
import logging
import queue
import re
import secrets
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from gene_r1.agent.batch.inputs import GeneSetInput, InputFileError, read_gene_sets
from gene_r1.agent.batch.runner import RESULTS_FILE
from gene_r1.agent.batch.thresholds import Thresholds
from gene_r1.agent.context import AgentContext
from gene_r1.knowledge_base.fileio import complete_lines, write_json_atomic

log = logging.getLogger("gene_r1.web.jobs")

JOB_FILE = "job.json"
UNFINISHED = ("queued", "running")
_JOB_ID = re.compile(r"^[0-9a-f]{16}$")


class JobNotFoundError(LookupError):
    """No job with that id under this server's jobs folder."""


@dataclass(frozen=True)
class Job:
    id: str
    filename: str
    input_name: str
    format: str
    thresholds: dict
    total: int
    created: float
    state: str = "queued"  # queued | running | done | failed
    started: float | None = None
    finished: float | None = None
    error: str = ""
    set_ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


R = TypeVar("R", bound="JobRecord")


class JobRecord(Protocol):
    id: str
    state: str
    created: float

    def to_dict(self) -> dict: ...


class FolderStore(Generic[R]):
    """One folder per job under `root`, named by a random id, holding `job.json` (written atomically)."""

    record_type: type

    def __init__(self, root: Path):
        self.root = root

    def folder(self, job_id: str) -> Path:
        if not _JOB_ID.match(job_id):
            raise JobNotFoundError(f"No job {job_id!r}.")
        return self.root / job_id

    def new_folder(self) -> tuple[str, Path]:
        job_id = secrets.token_hex(8)
        folder = self.root / job_id
        folder.mkdir(parents=True)
        return job_id, folder

    def save(self, job: R) -> None:
        write_json_atomic(self.folder(job.id) / JOB_FILE, job.to_dict())

    def get(self, job_id: str) -> R:
        path = self.folder(job_id) / JOB_FILE
        if not path.is_file():
            raise JobNotFoundError(f"No job {job_id!r}.")
        return self.record_type(**json.loads(path.read_text(encoding="utf-8")))

    def all(self) -> list[R]:
        """Every job, newest first."""
        if not self.root.is_dir():
            return []
        jobs = [self.get(p.name) for p in self.root.iterdir() if _JOB_ID.match(p.name) and (p / JOB_FILE).is_file()]
        return sorted(jobs, key=lambda job: job.created, reverse=True)

    def unfinished(self) -> list[R]:
        """The jobs a stopped (or killed) server left queued or running, oldest first."""
        return [job for job in reversed(self.all()) if job.state in UNFINISHED]


class JobStore(FolderStore[Job]):
    """Batch job folders on disk: the upload, job.json and the runner's results.jsonl."""

    record_type = Job

    def create(self, filename: str, data: bytes, fmt: str, thresholds: Thresholds) -> Job:
        """Store an upload as a new queued job; a file that cannot be read as gene sets raises `InputFileError`
        and leaves nothing behind. The upload is stored as `input<suffix>`: the user's name is never a path."""
        job_id, folder = self.new_folder()
        input_name = "input" + Path(filename).suffix.lower()
        try:
            (folder / input_name).write_bytes(data)
            sets = read_gene_sets(folder / input_name, fmt, thresholds)
        except InputFileError as error:
            shutil.rmtree(folder)
            raise InputFileError(str(error).replace(input_name, filename)) from None
        job = Job(
            id=job_id,
            filename=filename,
            input_name=input_name,
            format=fmt,
            thresholds=asdict(thresholds),
            total=len(sets),
            created=time.time(),
            set_ids=[s.id for s in sets],
        )
        self.save(job)
        return job

    def gene_sets(self, job: Job) -> list[GeneSetInput]:
        return read_gene_sets(self.folder(job.id) / job.input_name, job.format, Thresholds(**job.thresholds))

    def results_path(self, job: Job) -> Path:
        return self.folder(job.id) / RESULTS_FILE

    def results(self, job: Job) -> list[dict]:
        """Finished sets so far, one record each (the runner never writes an id twice)."""
        return [json.loads(line) for line in complete_lines(self.results_path(job))]

    def progress(self, job: Job) -> int:
        return len(complete_lines(self.results_path(job)))


class JobWorker:
    """One thread that runs queued jobs in order, resuming unfinished ones on start."""

    def __init__(self, store: JobStore, context: Callable[[], AgentContext], *, batch_size: int = 8):
        self.store = store
        self.context = context
        self.batch_size = batch_size
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def start(self) -> list[str]:
        """Start the thread; returns the ids of the unfinished jobs it resumes."""
        resumed = [job.id for job in self.store.unfinished()]
        for job_id in resumed:
            self._queue.put(job_id)
        self._thread = threading.Thread(target=self._loop, name="gene-r1-jobs", daemon=True)
        self._thread.start()
        return resumed

    def submit(self, job: Job) -> None:
        self._queue.put(job.id)

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the thread to stop after the running job (a job cut short resumes at the next start)."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout)

    def _loop(self) -> None:
        while (job_id := self._queue.get()) is not None:
            self.run(self.store.get(job_id))

    def run(self, job: Job) -> Job:
        from gene_r1.agent.batch.progress import log_progress
        from gene_r1.agent.batch.runner import run_batch

        job = replace(job, state="running", started=job.started or time.time())
        self.store.save(job)
        try:
            sets = self.store.gene_sets(job)
            run_batch(
                sets,
                self.store.folder(job.id),
                context=self.context(),
                batch_size=self.batch_size,
                progress=log_progress(log.info, label=f"job {job.id}"),  # a line at most every 10 s in the log
            )
            job = replace(job, state="done", finished=time.time())
        except Exception as error:  # noqa: BLE001 - any failure is recorded on the job, for the page to show
            log.exception("job %s failed", job.id)
            job = replace(job, state="failed", finished=time.time(), error=f"{type(error).__name__}: {error}")
        self.store.save(job)
        return job
