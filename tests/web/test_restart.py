"""Jobs survive the server: kill -9 it mid-job, start it again, and every set ends up in the results once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.web.conftest import free_port, gmt_text, wait_for

N_SETS = 12


def start_server(web_config, state_dir: Path, port: int, log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "agent.web", "--port", str(port), "--state-dir", str(state_dir)]
    command += ["--model", web_config.model, "--batch-size", "1"]
    env = os.environ | {"GENE_R1_HOME": str(web_config.home)}
    return subprocess.Popen(command, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def answering(url: str) -> bool:
    try:
        return httpx.get(f"{url}/api/jobs", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


@pytest.mark.slow
def test_a_job_killed_with_its_server_completes_after_a_restart_with_every_set_once(web_config, tmp_path):
    state_dir, port, log = tmp_path / "state", free_port(), tmp_path / "server.log"
    url = f"http://127.0.0.1:{port}"
    server = start_server(web_config, state_dir, port, log)
    try:
        wait_for(lambda: answering(url), 120, "the server to start", every=0.3)
        files = {"file": ("sets.gmt", gmt_text(N_SETS).encode(), "text/plain")}
        job = httpx.post(f"{url}/api/jobs", files=files, timeout=30).json()
        assert job["total"] == N_SETS
        status = wait_for(
            lambda: (s := httpx.get(f"{url}/api/jobs/{job['id']}", timeout=5).json())["done"] >= 2 and s,
            180,
            "the job to finish two sets",
            every=0.05,
        )
        server.send_signal(signal.SIGKILL)
        server.wait(10)
        killed_at = len((state_dir / "jobs" / job["id"] / "results.jsonl").read_bytes().splitlines())
        assert status["done"] <= killed_at < N_SETS, "the job should still be running when the server dies"

        server = start_server(web_config, state_dir, port, log)
        wait_for(lambda: answering(url), 120, "the restarted server", every=0.3)
        final = wait_for(
            lambda: (
                (s := httpx.get(f"{url}/api/jobs/{job['id']}", timeout=5).json())["state"] in ("done", "failed") and s
            ),
            300,
            "the resumed job to finish",
        )
        assert (final["state"], final["done"]) == ("done", N_SETS), log.read_text()[-3000:]
        lines = (state_dir / "jobs" / job["id"] / "results.jsonl").read_text().splitlines()
        counts = Counter(json.loads(line)["id"] for line in lines)
        assert len(counts) == N_SETS and set(counts.values()) == {1}
    finally:
        server.kill()
        server.wait(10)
