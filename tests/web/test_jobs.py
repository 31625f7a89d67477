"""Job folders: created from an upload, written atomically, read back after a restart."""

from __future__ import annotations

import json

import pytest

from gene_r1.agent.batch.inputs import InputFileError, Thresholds
from gene_r1.agent.web.jobs import JobNotFoundError, JobStore, complete_lines

GMT = b"mitosis\tcell cycle\tCDK1\tCCNB1\tPLK1\nrepair\tmismatch repair\tMLH1\tMSH2\tMSH6\n"


def test_an_upload_becomes_a_queued_job_with_its_sets_counted(tmp_path):
    store = JobStore(tmp_path / "jobs")
    job = store.create("my sets.gmt", GMT, "auto", Thresholds())
    assert (job.state, job.total, job.set_ids) == ("queued", 2, ["mitosis", "repair"])
    assert store.get(job.id) == job
    assert (store.folder(job.id) / "input.gmt").read_bytes() == GMT
    assert [s.genes for s in store.gene_sets(job)] == [("CDK1", "CCNB1", "PLK1"), ("MLH1", "MSH2", "MSH6")]


def test_a_malformed_upload_names_the_users_file_and_line_and_leaves_no_job(tmp_path):
    store = JobStore(tmp_path / "jobs")
    with pytest.raises(InputFileError, match=r"my sets\.gmt, line 2"):
        store.create("my sets.gmt", b"ok\tdesc\tCDK1\nbroken line without tabs\n", "auto", Thresholds())
    assert store.all() == []


def test_thresholds_are_kept_with_the_job_so_a_restart_reads_the_file_the_same_way(tmp_path):
    table = b"gene,log2FoldChange,padj\nA1,2.5,0.001\nA2,1.2,0.01\nA3,-3,0.001\nA4,0.2,0.5\n"
    store = JobStore(tmp_path / "jobs")
    job = store.create("de.csv", table, "auto", Thresholds(padj=0.05, log2fc=2.0))
    reopened = JobStore(tmp_path / "jobs").get(job.id)
    assert [s.genes for s in JobStore(tmp_path / "jobs").gene_sets(reopened)] == [("A1",), ("A3",)]


def test_jobs_are_listed_newest_first(tmp_path):
    store = JobStore(tmp_path / "jobs")
    first = store.create("a.gmt", GMT, "auto", Thresholds())
    second = store.create("b.gmt", GMT, "auto", Thresholds())
    assert [j.id for j in store.all()] == [second.id, first.id]


@pytest.mark.parametrize("job_id", ["../etc", "0123", "ZZZZZZZZZZZZZZZZ", "0123456789abcdef"])
def test_unknown_or_malicious_job_ids_are_not_found(tmp_path, job_id):
    with pytest.raises(JobNotFoundError):
        JobStore(tmp_path / "jobs").get(job_id)


def test_progress_counts_only_complete_result_lines(tmp_path):
    path = tmp_path / "results.jsonl"
    path.write_text(json.dumps({"id": "a"}) + "\n" + json.dumps({"id": "b"}) + "\n" + '{"id": "c", "na')
    assert [json.loads(line)["id"] for line in complete_lines(path)] == ["a", "b"]
    assert complete_lines(tmp_path / "missing.jsonl") == []
