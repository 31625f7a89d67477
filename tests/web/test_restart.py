"""Jobs survive the server: kill -9 it mid-job, start it again, and every set ends up in the results once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.web.conftest import GENE_GROUPS, free_port, gmt_text, wait_for

N_SETS = 120  # an analysis takes ~0.05 s: a job this long is still running when the server is killed


def many_sets_gmt(count: int) -> str:
    """`count` GMT lines with distinct ids, cycling through the real gene groups and their halves."""
    base = [line.split("\t", 1) for line in gmt_text(3 * len(GENE_GROUPS)).splitlines()]
    return "".join(f"{base[i % len(base)][0]}_{i}\t{base[i % len(base)][1]}\n" for i in range(count))


def start_server(web_config, state_dir: Path, port: int, log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "gene_r1.agent.web", "--port", str(port), "--state-dir", str(state_dir)]
    command += ["--model", web_config.model, "--batch-size", "1"]
    env = os.environ | {"GENE_R1_HOME": str(web_config.home)}
    return subprocess.Popen(command, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def answering(url: str) -> bool:
    try:
        return httpx.get(f"{url}/api/jobs", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


class Server:
    """The web server in a subprocess on a free port: killed with -9, then started again on the same state."""

    def __init__(self, web_config, tmp_path: Path):
        self.web_config = web_config
        self.state_dir, self.port, self.log = tmp_path / "state", free_port(), tmp_path / "server.log"
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self, what: str) -> None:
        self.process = start_server(self.web_config, self.state_dir, self.port, self.log)
        wait_for(lambda: answering(self.url), 120, what, every=0.3)

    def kill9(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)


@contextmanager
def running_server(web_config, tmp_path: Path) -> Iterator[Server]:
    server = Server(web_config, tmp_path)
    try:
        server.start("the server to start")
        yield server
    finally:
        if server.process:
            server.process.kill()
            server.process.wait(10)


@pytest.mark.slow
def test_a_job_killed_with_its_server_completes_after_a_restart_with_every_set_once(web_config, tmp_path):
    with running_server(web_config, tmp_path) as server:
        url, state_dir = server.url, server.state_dir
        files = {"file": ("sets.gmt", many_sets_gmt(N_SETS).encode(), "text/plain")}
        job = httpx.post(f"{url}/api/jobs", files=files, timeout=30).json()
        assert job["total"] == N_SETS
        status = wait_for(
            lambda: (s := httpx.get(f"{url}/api/jobs/{job['id']}", timeout=5).json())["done"] >= 2 and s,
            180,
            "the job to finish two sets",
            every=0.05,
        )
        server.kill9()
        killed_at = len((state_dir / "jobs" / job["id"] / "results.jsonl").read_bytes().splitlines())
        assert status["done"] <= killed_at < N_SETS, "the job should still be running when the server dies"

        server.start("the restarted server")
        final = wait_for(
            lambda: (
                (s := httpx.get(f"{url}/api/jobs/{job['id']}", timeout=5).json())["state"] in ("done", "failed") and s
            ),
            300,
            "the resumed job to finish",
        )
        assert (final["state"], final["done"]) == ("done", N_SETS), server.log.read_text()[-3000:]
        lines = (state_dir / "jobs" / job["id"] / "results.jsonl").read_text().splitlines()
        counts = Counter(json.loads(line)["id"] for line in lines)
        assert len(counts) == N_SETS and set(counts.values()) == {1}


ROUNDS = 4  # every group four times: analyses take ~0.05 s now, so a few would all finish before the kill
N_ANALYSES = ROUNDS * len(GENE_GROUPS)


@pytest.mark.slow
def test_analyses_queued_when_the_server_is_killed_all_finish_after_a_restart(web_config, tmp_path):
    """Every analysis that got a 202 is on disk before the answer: kill -9 loses none, the restart runs them."""
    with running_server(web_config, tmp_path) as server:
        url, state_dir = server.url, server.state_dir
        sets = list(GENE_GROUPS.values()) * ROUNDS
        with ThreadPoolExecutor(max_workers=len(sets)) as pool:  # all submitted at once, so most still wait
            accepted = list(pool.map(
                lambda genes: httpx.post(f"{url}/api/analyze", json={"genes": genes}, timeout=10), sets))
        assert [r.status_code for r in accepted] == [202] * N_ANALYSES
        ids = [r.json()["id"] for r in accepted]
        server.kill9()
        states = [json.loads((state_dir / "analyses" / i / "job.json").read_text())["state"] for i in ids]
        assert "queued" in states, "some analyses should still be waiting when the server dies"

        server.start("the restarted server")
        for job_id in ids:
            final = wait_for(
                lambda job_id=job_id: (
                    (s := httpx.get(f"{url}/api/analyze/{job_id}", params={"wait": 10}, timeout=20).json())["state"]
                    in ("done", "failed")
                    and s
                ),
                120,
                f"analysis {job_id} after the restart",
            )
            assert final["state"] == "done" and final["result"]["genes"], server.log.read_text()[-3000:]
