"""Batch runs on Ray: the local engine's records from a real two-node cluster, nothing lost or duplicated when an
actor or the driver is killed; and one run per output directory, for both engines.

The cluster is real: two Ray nodes of one CPU each on 127.0.0.1 (`ray start --head`, then `ray start --address`,
each in its own temp dir), started once for this module and torn down even when a test fails. Drivers run as
`gene-r1 batch --engine ray` subprocesses, except where a test compares records with the local engine in-process.
Marked `ray` and skipped when Ray is not installed.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from gene_r1.agent.batch.inputs import GeneSetInput, read_gene_sets
from gene_r1.agent.batch.lock import OutputLockedError, exclusive_output
from gene_r1.agent.batch.runner import read_results, run_batch
from tests.agent.conftest import MISMATCH_REPAIR, MITOSIS

needs_ray = pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="ray is not installed (.[ray] extra)")


def write_gmt(path: Path, count: int) -> Path:
    lines = [f"set{i:02d}\t\t" + "\t".join((MITOSIS if i % 2 else MISMATCH_REPAIR)[: 4 + i % 4]) for i in range(count)]
    path.write_text("\n".join([*lines, "nonsense\t\tNOTAGENE1\tNOTAGENE2"]) + "\n")
    return path


@dataclass(frozen=True)
class LocalCluster:
    address: str
    temp: Path


@pytest.fixture(scope="module")
def two_node_cluster():
    """A two-node Ray cluster on 127.0.0.1 (one CPU per node, each node in its own temp dir),
    stopped afterwards by killing exactly the processes it started (never `ray stop`, which stops every Ray)."""
    temp = Path(tempfile.mkdtemp(prefix="r1ray-", dir="/tmp"))  # short: Ray's socket paths must fit 107 bytes
    # A throwaway cluster on 127.0.0.1: no auth token (Ray would share ~/.ray/auth_token between unrelated runs).
    settings = {"RAY_TMPDIR": str(temp), "RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "disabled"}
    saved = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)  # the drivers (in-process and subprocess) must use the same settings
    address = f"127.0.0.1:{free_port()}"
    common = ["--num-cpus", "1", "--node-ip-address", "127.0.0.1", "--object-store-memory", str(100 * 2**20)]
    try:
        ray_start("--head", "--port", address.split(":")[1], "--include-dashboard=false", "--disable-usage-stats",
                  *common, "--temp-dir", str(temp / "head"))  # fmt: skip
        ray_start("--address", address, *common, "--temp-dir", str(temp / "worker"))
        yield LocalCluster(address, temp)
    finally:
        kill_processes_under(temp)
        shutil.rmtree(temp, ignore_errors=True)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def ray_start(*args: str) -> None:
    ray = str(Path(sys.executable).with_name("ray"))
    started = subprocess.run([ray, "start", *args], capture_output=True, text=True, timeout=120)
    assert started.returncode == 0, f"ray start {' '.join(args)}: {(started.stdout + started.stderr)[-3000:]}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def kill_processes_under(temp: Path) -> None:
    """SIGKILL every process whose command line names `temp` (the cluster's daemons) and their descendants."""
    import psutil

    spared = {os.getpid(), *(p.pid for p in psutil.Process().parents())}
    family: dict[int, psutil.Process] = {}
    for process in psutil.process_iter(["cmdline"]):
        try:
            if str(temp) in " ".join(process.info["cmdline"] or []):
                family.update({p.pid: p for p in [process, *process.children(recursive=True)]})
        except psutil.Error:
            pass
    targets = [p for pid, p in family.items() if pid not in spared]
    for process in targets:
        try:
            process.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(targets, timeout=10)


def batch_cli(gmt: Path, out: Path, address: str) -> list[str]:
    return [
        sys.executable, "-m", "gene_r1.agent.cli", "batch", str(gmt), "--out", str(out),
        "--engine", "ray", "--address", address, "--batch-size", "2",
    ]  # fmt: skip


def cli_env(agent_config) -> dict[str, str]:
    return {**os.environ, "GENE_R1_HOME": str(agent_config.home), "GENE_R1_MODEL": agent_config.model}


def wait_for_lines(results: Path, count: int, process: subprocess.Popen, timeout_s: float = 300) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and process.poll() is None:
        if results.exists() and results.read_text().count("\n") >= count:
            return
        time.sleep(0.1)
    raise AssertionError(f"no {count} results in {timeout_s} s: {process.stderr.read().decode()[-2000:]}")


def actor_processes(cluster: LocalCluster) -> list:
    """The cluster's ChunkWorker actor processes (children of its raylets)."""
    import psutil

    found = []
    for process in psutil.process_iter(["cmdline"]):
        try:
            line = " ".join(process.info["cmdline"] or [])
            if "raylet" in line and str(cluster.temp) in line:
                found += [c for c in process.children(recursive=True) if "ray::ChunkWorker" in " ".join(c.cmdline())]
        except psutil.Error:
            pass
    return found


def assert_each_set_once(results: Path, count: int) -> list[dict]:
    records = read_results(results)
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)), f"duplicated: {sorted(i for i in ids if ids.count(i) > 1)}"
    assert sorted(ids) == sorted([f"set{i:02d}" for i in range(count)] + ["nonsense"])
    return records


@needs_ray
@pytest.mark.ray
def test_ray_engine_on_two_nodes_gives_the_local_engines_names(agent_context, two_node_cluster, tmp_path):
    from gene_r1.agent.batch.ray_engine import RayOptions, run_batch_ray

    sets = read_gene_sets(write_gmt(tmp_path / "sets.gmt", 4), "auto")
    local = run_batch(sets, tmp_path / "local", context=agent_context, batch_size=2, show_progress=False)
    summary = run_batch_ray(
        sets,
        tmp_path / "ray",
        config=agent_context.config,
        options=RayOptions(address=two_node_cluster.address),
        batch_size=2,
        show_progress=False,
    )
    by_engine = [{r["id"]: r for r in read_results(s.results_path)} for s in (local, summary)]
    assert {i: r["name"] for i, r in by_engine[0].items()} == {i: r["name"] for i, r in by_engine[1].items()}
    assert by_engine[1]["nonsense"]["error"] and summary.failed == 1
    assert (summary.analysed, summary.skipped) == (5, 0)


@needs_ray
@pytest.mark.ray
def test_an_actor_killed_mid_run_has_its_sets_retried_and_none_lost_or_duplicated(
    agent_config, two_node_cluster, tmp_path
):
    # enough sets that the run is still going when an actor is killed (an analysis takes ~0.05 s)
    gmt, out = write_gmt(tmp_path / "sets.gmt", 80), tmp_path / "out"
    process = subprocess.Popen(
        batch_cli(gmt, out, two_node_cluster.address),
        env=cli_env(agent_config),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_lines(out / "results.jsonl", 2, process)
        victims = actor_processes(two_node_cluster)
        assert victims, "no actor process found"
        victims[0].send_signal(signal.SIGKILL)
        _, stderr = process.communicate(timeout=300)
    finally:
        process.kill()
    assert process.returncode == 0, stderr.decode()[-2000:]
    assert "a Ray actor died" in stderr.decode()
    records = assert_each_set_once(out / "results.jsonl", 80)
    assert [r["id"] for r in records if r["error"]] == ["nonsense"]


@needs_ray
@pytest.mark.ray
def test_a_driver_killed_mid_run_resumes_without_duplicates(agent_config, two_node_cluster, tmp_path):
    # enough sets that the run is still going when the driver is killed: with 6, a quiet machine finished them all
    # between two polls of the results file (an analysis takes ~0.05 s)
    gmt, out = write_gmt(tmp_path / "sets.gmt", 80), tmp_path / "out"
    command, env = batch_cli(gmt, out, two_node_cluster.address), cli_env(agent_config)
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for_lines(out / "results.jsonl", 2, process)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    partial = read_results(out / "results.jsonl")
    assert 2 <= len(partial) < 81
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert f"{len(partial)} already done" in finished.stdout
    assert_each_set_once(out / "results.jsonl", 80)
    assert (out / "summary.tsv").read_text().count("\n") == 82


def test_a_second_run_on_the_same_output_is_refused_with_the_owners_pid(agent_context, tmp_path):
    with exclusive_output(tmp_path), pytest.raises(OutputLockedError, match=f"PID {os.getpid()}"):
        run_batch([GeneSetInput("mmr", tuple(MISMATCH_REPAIR))], tmp_path, context=agent_context, show_progress=False)
    assert not (tmp_path / "results.jsonl").exists()


HOLD_LOCK = """
import sys, time
from pathlib import Path
from gene_r1.agent.batch.lock import exclusive_output
with exclusive_output(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(60)
"""


def test_the_output_lock_dies_with_a_killed_run(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(tmp_path)], stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == b"held"
        with pytest.raises(OutputLockedError, match=f"PID {holder.pid}"), exclusive_output(tmp_path):
            pass
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    with exclusive_output(tmp_path) as lock:
        assert lock.read_text().strip() == str(os.getpid())


def test_the_ray_engine_without_ray_names_the_extra_to_install(monkeypatch, tmp_path):
    from gene_r1.agent.batch.ray_engine import run_batch_ray
    from gene_r1.agent.config import AgentConfig

    monkeypatch.setitem(sys.modules, "ray", None)  # what `import ray` sees when the extra is not installed
    with pytest.raises(RuntimeError, match=r"pip install -e '\.\[ray\]'"):
        run_batch_ray([GeneSetInput("mmr", tuple(MISMATCH_REPAIR))], tmp_path, config=AgentConfig())
    assert not (tmp_path / "results.jsonl").exists()
