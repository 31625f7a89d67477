"""A job that cannot run says why on its status, and can be queued again once the problem is fixed."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gene_r1.agent.config import AgentConfig
from gene_r1.agent.web.app import create_app
from tests.web.conftest import LOCAL, gmt_text, wait_for


@pytest.fixture(autouse=True)
def no_source_dir(monkeypatch):
    monkeypatch.delenv("GENE_R1_SOURCE_DIR", raising=False)


def damaged_kb(tmp_path) -> Path:
    """A data home whose store is damaged: unusable, and not rebuilt behind the user's back (a missing KB would be
    built from the embedded releases on first use)."""
    store = tmp_path / "damaged-kb" / "kb" / "pathways.sqlite"
    store.parent.mkdir(parents=True)
    store.write_bytes(b"not a database")
    return tmp_path / "damaged-kb"


def test_a_job_without_a_knowledge_base_fails_with_the_reason_and_can_be_retried(tmp_path):
    app = create_app(
        AgentConfig(home=damaged_kb(tmp_path)), token=None, home=tmp_path / "state", warm=False
    )
    with TestClient(app, base_url=LOCAL) as client:
        files = {"file": ("sets.gmt", gmt_text(2).encode(), "text/plain")}
        job_id = client.post("/api/jobs", files=files).json()["id"]
        job = wait_for(
            lambda: (j := client.get(f"/api/jobs/{job_id}").json())["state"] == "failed" and j, 60, "the job to fail"
        )
        assert "knowledge base" in job["error"].lower() and job["done"] == 0
        assert client.post(f"/api/jobs/{job_id}/retry").json()["state"] == "queued"
        wait_for(lambda: client.get(f"/api/jobs/{job_id}").json()["state"] == "failed", 60, "the retry to fail again")


def test_only_a_failed_job_can_be_retried(tmp_path):
    app = create_app(
        AgentConfig(home=tmp_path / "no-kb"), token=None, home=tmp_path / "state", warm=False
    )
    with TestClient(app, base_url=LOCAL) as client:
        app.state.web.worker.stop()  # keep the job queued
        files = {"file": ("sets.gmt", gmt_text(2).encode(), "text/plain")}
        job_id = client.post("/api/jobs", files=files).json()["id"]
        response = client.post(f"/api/jobs/{job_id}/retry")
        assert response.status_code == 409 and "only a failed job" in response.json()["detail"]


def test_an_analysis_without_a_knowledge_base_answers_503_with_how_to_build_it(tmp_path):
    app = create_app(
        AgentConfig(home=damaged_kb(tmp_path)), token=None, home=tmp_path / "state", warm=False
    )
    with TestClient(app, base_url=LOCAL) as client:
        response = client.post("/api/analyze", params={"wait": 30}, json={"genes": ["CDK1", "CCNB1"]})
    assert response.status_code == 503
    assert "gene-r1 kb build" in response.json()["detail"]
