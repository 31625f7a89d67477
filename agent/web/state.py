"""What the routes share: the agent configuration, the job store and worker, the chat graph, the limits."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import Request

from agent.config import AgentConfig
from agent.context import AgentContext
from agent.web.jobs import JobStore, JobWorker


@dataclass
class WebState:
    config: AgentConfig
    home: Path
    token: str | None
    jobs: JobStore
    worker: JobWorker
    max_upload_bytes: int
    gate: threading.Semaphore
    _warm_lock: threading.Lock = field(default_factory=threading.Lock)
    _chat_graph: object = None
    _thread_locks: dict[str, threading.Lock] = field(default_factory=dict)

    def context(self) -> AgentContext:
        """The shared agent context with its knowledge base and model loaded (once, whoever asks first)."""
        from agent.api import get_context

        context = get_context(self.config)
        with self._warm_lock:
            context.kb  # noqa: B018 - load before concurrent use
            context.model  # noqa: B018
        return context

    def chat_graph(self):
        with self._warm_lock:
            if self._chat_graph is None:
                from agent.chat import build_chat_graph, open_checkpointer

                self._chat_graph = build_chat_graph(open_checkpointer(self.home))
            return self._chat_graph

    def thread_lock(self, thread_id: str) -> threading.Lock:
        """Turns on one thread run one at a time (its checkpoint is read, then written)."""
        with self._warm_lock:
            return self._thread_locks.setdefault(thread_id, threading.Lock())


def web_state(request: Request) -> WebState:
    return request.app.state.web
