"""Batch runs: complete, resumable, and nothing lost or duplicated when killed."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from gene_r1.agent.batch.inputs import GeneSetInput
from gene_r1.agent.batch.runner import finished_ids, read_results, run_batch
from tests.agent.conftest import MISMATCH_REPAIR, MITOSIS

SETS = [
    GeneSetInput("mitosis", tuple(MITOSIS)),
    GeneSetInput("mmr", tuple(MISMATCH_REPAIR)),
    GeneSetInput("nonsense", ("NOTAGENE1", "NOTAGENE2")),
]


def test_every_set_gets_one_record_with_the_required_fields(agent_context, tmp_path):
    summary = run_batch(SETS, tmp_path, context=agent_context, batch_size=2, show_progress=False)
    records = read_results(summary.results_path)
    assert [r["id"] for r in records] == ["mitosis", "mmr", "nonsense"]
    for field in ("id", "genes", "name", "confidence", "reasoning", "evidence", "verdicts", "unknown_genes",
                  "verdict", "coherence", "name_confidence", "themes"):
        assert all(field in r for r in records)
    assert records[2]["error"] and records[2]["unknown_genes"] == ["NOTAGENE1", "NOTAGENE2"]
    assert summary.failed == 1


def test_a_rerun_skips_finished_sets(agent_context, tmp_path):
    run_batch(SETS[:1], tmp_path, context=agent_context, show_progress=False)
    summary = run_batch(SETS, tmp_path, context=agent_context, show_progress=False)
    assert (summary.skipped, summary.analysed) == (1, 2)
    assert sorted(r["id"] for r in read_results(summary.results_path)) == ["mitosis", "mmr", "nonsense"]


def test_a_line_torn_by_a_crash_is_cut_off_before_appending(tmp_path):
    path = tmp_path / "results.jsonl"
    path.write_text(json.dumps({"id": "a"}) + "\n" + '{"id": "b", "na')
    assert finished_ids(path) == {"a"}
    assert path.read_text() == json.dumps({"id": "a"}) + "\n"


def write_gmt(path: Path, count: int) -> Path:
    lines = [f"set{i:03d}\t\t" + "\t".join((MITOSIS if i % 2 else MISMATCH_REPAIR)[: 4 + i % 4]) for i in range(count)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_kill_9_mid_run_then_resume_loses_and_duplicates_nothing(agent_config, tmp_path):
    sets = 400  # enough that the run is still going when a few results are on disk (an analysis takes ~0.05 s)
    gmt = write_gmt(tmp_path / "sets.gmt", sets)
    out = tmp_path / "out"
    env = {**os.environ, "GENE_R1_HOME": str(agent_config.home), "GENE_R1_MODEL": agent_config.model}
    command = [sys.executable, "-m", "gene_r1.agent.cli", "batch", str(gmt), "--out", str(out), "--batch-size", "2"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    results = out / "results.jsonl"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and process.poll() is None:
        if results.exists() and results.read_text().count("\n") >= 3:
            break
        time.sleep(0.2)
    assert process.poll() is None, process.stderr.read().decode()[-2000:]
    process.send_signal(signal.SIGKILL)
    process.wait()
    partial = results.read_text().count("\n")
    assert 3 <= partial < sets
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr[-2000:]
    ids = [r["id"] for r in read_results(results)]
    assert sorted(ids) == [f"set{i:03d}" for i in range(sets)]
    assert (out / "summary.tsv").read_text().count("\n") == sets + 1
    assert (out / "summary.tsv").read_text().split("\n")[0].split("\t")[2:6] == [
        "verdict", "coherence", "name_confidence", "themes"]
    assert "<html" in (out / "report.html").read_text()


def test_each_record_is_handed_over_as_its_set_finishes_not_at_the_end_of_the_chunk(agent_context):
    from gene_r1.agent.batch.runner import analyse_chunk

    chunk = [GeneSetInput("a", tuple(MITOSIS)), GeneSetInput("b", ("NOTAGENE1",)),
             GeneSetInput("c", tuple(MISMATCH_REPAIR))]
    seen, phases = [], []
    records = analyse_chunk(chunk, agent_context, on_record=lambda r: seen.append(r["id"]), on_phase=phases.append)
    assert seen == ["a", "b", "c"] == [r["id"] for r in records]
    assert records[1]["error"] and not records[0]["error"]
    assert phases == ["evidence for 3 sets", "judging 3 sets", "verifying"]
