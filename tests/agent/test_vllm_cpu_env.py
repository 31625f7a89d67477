"""`gene-r1 vllm-cpu`: the server's command line, starting and stopping by PID, and clear failures, on real
processes; a stand-in `python` takes vLLM's place where a test needs a server that fails or never answers.
(Building the real environment takes minutes and ~3 GiB: tests/agent/test_vllm_server.py runs against it.)
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gene_r1.agent.backends.vllm_cpu_env import (
    LORA_NAME,
    EnvPaths,
    ServerFacts,
    VllmEnvError,
    build,
    pid_alive,
    read_server,
    serve,
    server_command,
    server_env,
    stop,
    tree_rss_bytes,
)


def fake_env(tmp_path: Path, script: str) -> EnvPaths:
    """An environment whose `python` is a shell script (what `vllm serve` would do, scripted)."""
    paths = EnvPaths(tmp_path / "env")
    paths.python.parent.mkdir(parents=True)
    paths.python.write_text("#!/bin/sh\n" + script)
    paths.python.chmod(0o755)
    return paths


def test_the_server_listens_on_loopback_and_serves_the_adapter_under_its_lora_name(tmp_path):
    command = server_command(EnvPaths(tmp_path), Path("/m"), adapter=Path("/a"), port=8123, max_model_len=4096,
                             max_lora_rank=16)

    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert command[command.index("--lora-modules") + 1] == f"{LORA_NAME}=/a"
    assert {"--enable-lora", "--enforce-eager"} <= set(command)
    assert command[command.index("--max-logprobs") + 1] == "20"  # the judge asks for the top 6


def test_without_an_adapter_no_lora_is_enabled(tmp_path):
    command = server_command(EnvPaths(tmp_path), Path("/m"), adapter=None, port=8123, max_model_len=4096,
                             max_lora_rank=16)

    assert "--enable-lora" not in command and "--lora-modules" not in command


def test_the_server_runs_offline_on_the_threads_it_is_given():
    env = server_env(threads=2, kv_cache_gib=1)

    assert (env["OMP_NUM_THREADS"], env["VLLM_CPU_OMP_THREADS_BIND"], env["HF_HUB_OFFLINE"]) == ("2", "nobind", "1")


def test_serving_before_building_names_the_build_command(tmp_path):
    with pytest.raises(VllmEnvError, match="gene-r1 vllm-cpu build"):
        serve(EnvPaths(tmp_path / "nothing"), Path("/m"), adapter=None)


def test_a_server_that_dies_while_starting_shows_the_end_of_its_log(tmp_path):
    paths = fake_env(tmp_path, "echo 'ValueError: max_lora_rank (8) is smaller than the adapter rank (16)'\nexit 1\n")

    with pytest.raises(VllmEnvError, match=r"exited with code 1 while starting(.|\n)*smaller than the adapter rank"):
        serve(paths, Path("/m"), adapter=None, port=9, nice=0)


def test_a_server_that_never_answers_is_stopped_after_the_wait(tmp_path):
    paths = fake_env(tmp_path, "exec sleep 60\n")

    with pytest.raises(VllmEnvError, match="did not answer within 1 s; stopped it"):
        serve(paths, Path("/m"), adapter=None, port=9, nice=0, wait_s=1)
    assert read_server(paths) is None


def started_server(paths: EnvPaths) -> subprocess.Popen:
    """A real process group recorded as this environment's server (a session leader with a child, as vLLM is)."""
    paths.root.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen([sys.executable, "-c", "import subprocess, time; "
                                "subprocess.Popen(['sleep', '60']); time.sleep(60)"], start_new_session=True)
    paths.pid_file.write_text(str(process.pid))
    deadline = time.monotonic() + 30
    while not children_of(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    return process


def children_of(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def test_stop_ends_the_recorded_server_and_its_children_and_forgets_it(tmp_path):
    paths = EnvPaths(tmp_path / "env")
    process = started_server(paths)
    children = children_of(process.pid)

    assert children and stop(paths) == process.pid
    process.wait(timeout=10)
    assert not any(pid_alive(child) for child in children)  # gone when stop returns, not later
    assert read_server(paths) is None


def test_stop_with_no_server_recorded_does_nothing(tmp_path):
    assert stop(EnvPaths(tmp_path)) is None


def test_a_second_server_is_refused_while_the_first_runs(tmp_path):
    paths = fake_env(tmp_path, "exec sleep 60\n")
    process = started_server(paths)
    try:
        with pytest.raises(VllmEnvError, match=f"already runs \\(PID {process.pid}"):
            serve(paths, Path("/m"), adapter=None)
        with pytest.raises(VllmEnvError, match="stop` first"):
            build(paths)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def test_a_build_with_a_python_that_cannot_run_says_so(tmp_path):
    with pytest.raises(VllmEnvError, match="could not run"):
        build(EnvPaths(tmp_path / "env"), python=str(tmp_path / "no-python"))


def test_resident_memory_counts_the_servers_children(tmp_path):
    process = started_server(EnvPaths(tmp_path / "env"))
    try:
        alone = int(Path(f"/proc/{process.pid}/status").read_text().split("VmRSS:")[1].split()[0]) * 1024
        assert tree_rss_bytes(process.pid) > alone
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def test_the_recorded_server_is_read_back(tmp_path):
    paths = EnvPaths(tmp_path)
    facts = ServerFacts(pid=1, base_url="http://127.0.0.1:8011/v1", model="/m", served_model="s", lora_name="gene-r1",
                        adapter="/a", threads=1, startup_seconds=44.1, rss_bytes=10, command=["python"])
    paths.server_file.write_text(__import__("json").dumps(facts.__dict__))

    assert read_server(paths) == facts
