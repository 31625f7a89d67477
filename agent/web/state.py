"""What the routes share: the agent context (model behind a lock), the job stores and workers, the chat graph,
the limits."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import Request

from gene_r1.agent.config import AgentConfig
from gene_r1.agent.context import AgentContext
from gene_r1.agent.web.analyses import AnalysisPool
from gene_r1.agent.web.jobs import JobStore, JobWorker


class SerialModel:
    """A model backend that runs one call at a time. Analyses, batch jobs and chat turns share one loaded model;
    a transformers model is not safe to call from two threads, and on a few cores two calls at once are no faster
    than one after the other. Methods other than `generate`/`generate_batch` take the same lock."""

    def __init__(self, model: Any = None, *, load: Callable[[], Any] | None = None):
        if model is None and load is None:
            raise ValueError("SerialModel needs a model or a way to load one")
        self._model = model
        self._load = load
        self.lock = threading.RLock()

    @property
    def model(self) -> Any:
        """The wrapped backend, loaded on first use (a server whose judge never calls the model never loads it)."""
        with self.lock:
            if self._model is None:
                self._model = self._load()
            return self._model

    @model.setter
    def model(self, value: Any) -> None:
        self._model = value

    def generate(self, messages: Sequence, config: Any = None) -> Any:
        with self.lock:
            return self.model.generate(messages, config)

    def generate_batch(self, batch: Sequence, config: Any = None) -> list:
        with self.lock:
            return self.model.generate_batch(batch, config)

    def info(self) -> dict:
        return self.model.info()

    def __getattr__(self, name: str) -> Any:
        if name in ("_model", "_load", "lock"):  # not set yet (copy, pickle): no recursion through self.model
            raise AttributeError(name)
        value = getattr(self.model, name)
        if not callable(value):
            return value

        @functools.wraps(value)
        def locked(*args, **kwargs):
            with self.lock:
                return value(*args, **kwargs)

        return locked


@dataclass
class WebState:
    config: AgentConfig
    home: Path
    token: str | None
    jobs: JobStore
    worker: JobWorker
    analyses: AnalysisPool
    max_upload_bytes: int
    gate: threading.Semaphore
    warmed: threading.Event = field(default_factory=threading.Event)  # set when the start-up warm-up is over
    _warm_lock: threading.Lock = field(default_factory=threading.Lock)
    _context: AgentContext | None = None
    _chat_graph: object = None
    _thread_locks: dict[str, threading.Lock] = field(default_factory=dict)

    def context(self) -> AgentContext:
        """The agent context of this server: knowledge base opened once (whoever asks first), the model behind
        `SerialModel`, loaded on its first call. A failed load raises and is tried again at the next call."""
        with self._warm_lock:
            if self._context is None:
                from gene_r1.agent.api import get_context

                shared = get_context(self.config)
                self._context = AgentContext(
                    config=self.config, kb_override=shared.kb, model_override=SerialModel(load=lambda: shared.model)
                )
            return self._context

    def chat_graph(self):
        with self._warm_lock:
            if self._chat_graph is None:
                from gene_r1.agent.chat import build_chat_graph, open_checkpointer

                self._chat_graph = build_chat_graph(open_checkpointer(self.home))
            return self._chat_graph

    def thread_lock(self, thread_id: str) -> threading.Lock:
        """Turns on one thread run one at a time (its checkpoint is read, then written)."""
        with self._warm_lock:
            return self._thread_locks.setdefault(thread_id, threading.Lock())


def web_state(request: Request) -> WebState:
    return request.app.state.web
