"""Analyses are jobs: `POST /api/analyze` answers at once, a bounded queue refuses with 429 + Retry-After, the
model is entered by one thread at a time, and the result arrives by polling, long-polling or server-sent events."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from gene_r1.agent.config import AgentConfig
from gene_r1.agent.web.app import create_app
from gene_r1.agent.web.state import SerialModel
from tests.web.conftest import CELL_CYCLE, GENE_GROUPS, LOCAL, wait_for


class EntryCounter:
    """A model wrapper that counts the threads inside it at once (and lingers, so overlaps would show)."""

    def __init__(self, model, linger_s: float = 0.05):
        self.model, self.linger_s = model, linger_s
        self.inside = self.most_inside = self.calls = 0
        self._count = threading.Lock()

    def _enter(self, call):
        with self._count:
            self.inside += 1
            self.calls += 1
            self.most_inside = max(self.most_inside, self.inside)
        try:
            time.sleep(self.linger_s)
            return call()
        finally:
            with self._count:
                self.inside -= 1

    def generate(self, messages, config=None):
        return self._enter(lambda: self.model.generate(messages, config))

    def generate_batch(self, batch, config=None):
        return self._enter(lambda: self.model.generate_batch(batch, config))

    def score(self, text):
        return self._enter(lambda: len(text))

    def info(self):
        return {}


class Echo:
    """A stand-in model with no lock of its own."""

    def generate(self, messages, config=None):
        return messages[-1]["content"]

    def generate_batch(self, batch, config=None):
        return [self.generate(m) for m in batch]

    def info(self):
        return {}


def hammer(model, threads: int = 6, calls: int = 4) -> None:
    def work():
        for _ in range(calls):
            model.generate([{"role": "user", "content": "hi"}])
            model.score("x")

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


@pytest.fixture
def idle_app(tmp_path):
    """An app whose analysis workers are stopped: submitted jobs stay queued (no KB or model needed)."""
    app = create_app(
        AgentConfig(home=tmp_path / "no-kb"),
        token=None,
        home=tmp_path / "state",
        concurrency=1,
        queue_size=2,
        warm=False,
    )
    with TestClient(app, base_url=LOCAL) as client:
        app.state.web.analyses.stop()
        yield client


def test_the_entry_counter_sees_overlapping_calls_of_an_unguarded_model():
    model = EntryCounter(Echo(), linger_s=0.01)
    hammer(model)
    assert model.most_inside > 1


def test_a_serial_model_is_entered_by_one_thread_at_a_time_for_every_method():
    counter = EntryCounter(Echo(), linger_s=0.01)
    hammer(SerialModel(counter))
    assert (counter.most_inside, counter.calls) == (1, 6 * 4 * 2)


def test_a_serial_model_loads_its_backend_only_when_first_called():
    loads = []
    model = SerialModel(load=lambda: loads.append(1) or Echo())
    assert loads == []
    model.generate([{"role": "user", "content": "hi"}])
    model.generate([{"role": "user", "content": "again"}])
    assert loads == [1]


def test_submitting_an_analysis_answers_at_once_with_202_and_where_to_follow_it(idle_app, tmp_path):
    response = idle_app.post("/api/analyze", json={"genes": CELL_CYCLE})  # no worker runs: the answer cannot wait
    assert response.status_code == 202
    job = response.json()
    assert response.headers["location"] == f"/api/analyze/{job['id']}" == job["location"]
    assert (job["state"], job["position"], job["genes"], job["result"]) == ("queued", 1, CELL_CYCLE, None)
    on_disk = json.loads((tmp_path / "state" / "analyses" / job["id"] / "job.json").read_text())
    assert on_disk["state"] == "queued", "the job is stored before the answer, so a restart cannot lose it"
    assert idle_app.get(job["location"]).json()["state"] == "queued"


def test_a_full_queue_answers_429_with_retry_after_and_stores_no_job(idle_app, tmp_path):
    for _ in range(2):
        assert idle_app.post("/api/analyze", json={"genes": CELL_CYCLE}).status_code == 202
    refused = idle_app.post("/api/analyze", json={"genes": CELL_CYCLE})
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert "queue is full" in refused.json()["detail"]
    assert len(list((tmp_path / "state" / "analyses").iterdir())) == 2


class VirtualClock:
    """Stands in for the API module's clock and sleep: time passes only when the route sleeps."""

    def __init__(self):
        self.now = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        import asyncio

        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def test_waiting_is_bounded_at_30_seconds(idle_app):
    assert idle_app.post("/api/analyze", params={"wait": 31}, json={"genes": CELL_CYCLE}).status_code == 422


def test_a_wait_for_a_job_that_does_not_finish_gives_up_at_the_deadline_and_answers_202(idle_app, monkeypatch):
    from types import SimpleNamespace

    from gene_r1.agent.web import api

    clock = VirtualClock()
    monkeypatch.setattr(api, "time", SimpleNamespace(monotonic=clock.monotonic))
    monkeypatch.setattr(api, "asyncio", SimpleNamespace(sleep=clock.sleep))
    response = idle_app.post("/api/analyze", params={"wait": 0.3}, json={"genes": CELL_CYCLE})
    assert (response.status_code, response.json()["state"]) == (202, "queued")
    waited = sum(clock.slept)
    assert 0.3 - 1e-9 <= waited <= 0.3 + max(clock.slept) + 1e-9  # the 0.3 s asked for, and one step more at most


def test_an_unknown_analysis_job_is_404(idle_app):
    assert idle_app.get("/api/analyze/0123456789abcdef").status_code == 404
    assert idle_app.get("/api/analyze/..%2F..%2Fetc").status_code == 404


def test_a_polled_job_ends_done_with_the_analysis_and_its_linked_evidence(client):
    job = client.post("/api/analyze", json={"genes": CELL_CYCLE}).json()
    done = wait_for(
        lambda: (s := client.get(job["location"], params={"wait": 5}).json())["state"] in ("done", "failed") and s,
        120,
        "the analysis to finish",
    )
    assert done["state"] == "done", done["error"]
    assert done["result"]["name"] and done["result"]["genes"] == CELL_CYCLE
    assert all(row["url"].startswith("https://") for row in done["result"]["evidence"])


def test_the_events_stream_reports_status_then_the_finished_job(client):
    job = client.post("/api/analyze", json={"genes": GENE_GROUPS["glycolysis"]}).json()
    events, event = [], None
    with client.stream("GET", job["events"]) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                events.append((event, json.loads(line[6:])))
    assert events[0][0] == "status" and events[0][1]["state"] in ("queued", "running")
    assert events[-1][0] == "done" and events[-1][1]["result"]["name"]


def test_concurrent_analyses_enter_the_model_one_at_a_time(web_config, state_dir):
    explaining = replace(web_config, explain=True)  # every analysis then calls the model (for its explanation)
    app = create_app(explaining, token=None, home=state_dir, concurrency=4, queue_size=16, warm=False)
    with TestClient(app, base_url=LOCAL) as client:
        model = app.state.web.context().model
        assert isinstance(model, SerialModel)
        model.model = counter = EntryCounter(model.model)
        ids = [client.post("/api/analyze", json={"genes": genes}).json()["id"] for genes in GENE_GROUPS.values()]
        for job_id in ids:
            status = wait_for(
                lambda job_id=job_id: (
                    (s := client.get(f"/api/analyze/{job_id}", params={"wait": 5}).json())["state"]
                    in ("done", "failed")
                    and s
                ),
                120,
                f"analysis {job_id}",
            )
            assert status["state"] == "done", status["error"]
    assert counter.calls >= 2, "the analyses call the model"
    assert counter.most_inside == 1
