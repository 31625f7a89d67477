"""State the server's threads share: torch's thread count set once at start, a locked embedding memo, a dropped
knowledge base closed, and the enrichment index built at start-up rather than by the first request."""

from __future__ import annotations

import gc
import os
import sqlite3
import threading
import time
from dataclasses import replace

import numpy as np
import pytest
from fastapi.testclient import TestClient

from gene_r1.agent.web.app import create_app
from tests.web.conftest import CELL_CYCLE, LOCAL


@pytest.fixture
def fresh_caches(monkeypatch):
    """No knowledge base or agent context left open by earlier tests: what this test sees, it built."""
    from gene_r1.agent import api
    from gene_r1.tools import context

    monkeypatch.setattr(context, "_cache", {})
    monkeypatch.setattr(api, "_contexts", {})


def test_torch_threads_are_set_once_at_start_and_never_by_a_request(web_config, state_dir, monkeypatch):
    import torch

    calls, real = [], torch.set_num_threads
    monkeypatch.setattr(torch, "set_num_threads", lambda n: (calls.append(n), real(n))[1])
    app = create_app(web_config, token=None, home=state_dir, warm=False, threads=2)
    with TestClient(app, base_url=LOCAL) as client:
        assert calls == [2]
        # A verification (like an analysis's pathway search) embeds one short text, which the embedder would
        # otherwise run on one thread by switching torch's process-wide count from this request thread (and back).
        answer = client.post("/api/verify", json={"claim": "cell cycle", "genes": CELL_CYCLE})
        assert answer.status_code == 200, answer.text
    assert calls == [2]


def test_the_default_thread_count_shares_the_cpus_among_concurrent_analyses(tmp_path, web_config):
    """Seen from a thread started after start-up, as the request and analysis threads are (torch reads the
    process-wide count when a thread first uses it)."""
    import torch

    seen = []
    app = create_app(web_config, token=None, home=tmp_path / "state", warm=False, concurrency=2)
    with TestClient(app, base_url=LOCAL):
        worker = threading.Thread(target=lambda: seen.append(torch.get_num_threads()))
        worker.start()
        worker.join()
    assert seen == [max(1, (os.cpu_count() or 1) // 2)]


class SlowEmbedder:
    """Stands in for MiniLM: slow enough that threads interleave while one of them encodes."""

    def encode(self, texts):
        time.sleep(0.002)
        return np.ones((len(texts), 4), dtype=np.float32)


def test_threads_sharing_the_embedding_memo_never_lose_a_vector(monkeypatch):
    """A memo of three vectors is cleared every other call: a vector must not vanish between a call's lookup and
    its read, whether another thread cleared it meanwhile or its own call did (KeyError)."""
    from gene_r1.agent import context
    from gene_r1.knowledge_base import embedding

    monkeypatch.setattr(embedding, "get_embedder", lambda: SlowEmbedder())
    monkeypatch.setattr(context, "_MAX_MEMOISED", 3)
    monkeypatch.setattr(context, "_vectors", {})
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for call in range(30):
                vectors = context.embed_memoised(["shared name", f"name {worker}-{call}"])
                assert vectors.shape == (2, 4)
        except Exception as error:  # noqa: BLE001 - collected for the assertion below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_a_knowledge_base_dropped_for_a_rebuilt_one_is_closed_once_no_one_holds_it(tmp_path, fresh_caches):
    from gene_r1.knowledge_base import paths
    from gene_r1.tools.context import open_knowledge_base
    from tests.tools.conftest import make_home

    home = make_home(tmp_path / "home")
    first = open_knowledge_base(home)
    old_store = first.store
    make_home(home)
    os.utime(paths.store_path(home), ns=(1, 1))  # a different file, whatever the clock resolution
    rebuilt = open_knowledge_base(home)
    assert rebuilt is not first
    assert old_store.count_genes() > 0, "a caller still holding the old knowledge base can finish its work"
    del first
    gc.collect()
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        old_store.count_genes()
    assert rebuilt.store.count_genes() > 0


def test_the_enrichment_index_is_built_at_start_up_not_by_the_first_request(web_config, state_dir, fresh_caches):
    config = replace(web_config, search_k=web_config.search_k + 1)  # a context of its own
    app = create_app(config, token=None, home=state_dir, warm=True)
    with TestClient(app, base_url=LOCAL):
        web = app.state.web
        assert web.warmed.wait(180), "the warm-up finished"
        kb = web.context().kb
        built = set(vars(kb))
    assert {"enrichment_index", "symbols", "lexicon"} <= built
