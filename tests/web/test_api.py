"""The HTTP API over the real agent: a KB built from ../shared/data and the tiny real model."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from tests.web.conftest import CELL_CYCLE, INJECTION, LOCAL, gmt_text, wait_for

EVIDENCE_HOSTS = ("https://reactome.org/", "https://www.wikipathways.org/")


def sse_events(response) -> list[tuple[str, dict]]:
    events, event = [], None
    for line in response.iter_lines():
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: "):
            events.append((event, json.loads(line[6:])))
    return events


def chat(client, thread: str, text: str) -> list[tuple[str, dict]]:
    with client.stream("POST", f"/api/chat/{thread}", json={"text": text}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        return sse_events(response)


def upload(client, text: str, name: str = "sets.gmt", **form):
    return client.post("/api/jobs", files={"file": (name, text.encode(), "text/plain")}, data=form)


def finished_job(client, job_id: str, timeout: float = 180) -> dict:
    return wait_for(
        lambda: (job := client.get(f"/api/jobs/{job_id}").json())["state"] in ("done", "failed") and job,
        timeout,
        f"job {job_id} to finish",
    )


def test_analyze_names_an_eight_gene_set_with_evidence_linked_to_its_pathway_pages(client):
    response = client.post("/api/analyze", params={"wait": 30}, json={"genes": CELL_CYCLE})
    assert response.status_code == 200
    result = response.json()
    assert result["name"] and result["genes"] == CELL_CYCLE
    assert result["evidence"], "the cell-cycle set has enrichment evidence in Reactome"
    assert all(row["url"].startswith(EVIDENCE_HOSTS) and row["pathway_id"] in row["url"] for row in result["evidence"])
    assert {v["verdict"] for v in result["verdicts"]} <= {"supported", "partly supported", "not supported"}


def test_a_set_with_no_known_gene_answers_422_and_lists_the_unknown_symbols(client):
    response = client.post("/api/analyze", params={"wait": 30}, json={"genes": ["NOTAGENE1", INJECTION]})
    assert response.status_code == 422
    assert response.json()["detail"]
    assert INJECTION in response.json()["analysis"]["unknown_genes"]


def test_an_empty_gene_list_is_refused(client):
    assert client.post("/api/analyze", json={"genes": []}).status_code == 422


def test_verify_gives_a_verdict_for_a_claim(client):
    response = client.post("/api/verify", json={"claim": "cell cycle", "genes": CELL_CYCLE})
    assert response.status_code == 200
    result = response.json()
    assert result["verdict"] in ("supported", "partly supported", "not supported") and result["explanation"]


def test_a_blank_claim_is_refused_with_the_reason(client):
    response = client.post("/api/verify", json={"claim": "   ", "genes": CELL_CYCLE})
    assert response.status_code == 422
    assert "claim is empty" in response.json()["detail"]


def test_kb_info_lists_both_evidence_sources_with_their_pathway_counts(client):
    info = client.get("/api/kb").json()
    counts = {s["source"]: s["pathways"] for s in info["sources"]}
    assert counts["reactome"] > 1000 and counts["wikipathways"] > 100


def test_a_chat_turn_streams_status_then_answer_chunks_then_the_analysis(client):
    events = chat(client, "t1", " ".join(CELL_CYCLE))
    kinds = [kind for kind, _ in events]
    assert kinds[0] == "status" and kinds[-1] == "done" and "answer" in kinds
    assert kinds.index("status") < kinds.index("answer")
    done = events[-1][1]
    assert "".join(p["answer"] for k, p in events if k == "answer").strip() == done["answer"].strip()
    assert done["analysis_changed"] and done["analysis"]["name"] and done["genes"] == CELL_CYCLE


def test_a_follow_up_answers_from_the_threads_analysis_without_redoing_it(client):
    chat(client, "t2", " ".join(CELL_CYCLE))
    done = chat(client, "t2", "which genes support that?")[-1]
    assert done[0] == "done" and not done[1]["analysis_changed"]
    assert "Genes supporting" in done[1]["answer"]
    history = client.get("/api/chat/t2").json()
    assert [m["role"] for m in history["messages"]] == ["user", "assistant", "user", "assistant"]


def test_a_bad_thread_id_is_refused(client):
    assert client.post("/api/chat/..%2Fx", json={"text": "help"}).status_code in (404, 422)
    assert client.post("/api/chat/" + "x" * 65, json={"text": "help"}).status_code == 422


def test_the_chat_report_page_draws_the_chart_and_the_grid(client):
    chat(client, "t3", " ".join(CELL_CYCLE))
    page = client.get("/report/chat/t3")
    assert page.status_code == 200
    assert '<svg class="chart"' in page.text and '<svg class="grid"' in page.text


def test_a_gmt_batch_job_runs_every_set_once_and_offers_every_download(client):
    response = upload(client, gmt_text(3))
    assert response.status_code == 201
    job = finished_job(client, response.json()["id"])
    assert (job["state"], job["done"], job["total"]) == ("done", 3, 3)
    rows = client.get(f"/api/jobs/{job['id']}/results").json()
    assert sorted(r["id"] for r in rows) == ["glycolysis", "mismatch_repair", "mitosis"]
    jsonl = client.get(f"/api/jobs/{job['id']}/results.jsonl")
    assert Counter(json.loads(line)["id"] for line in jsonl.text.splitlines()) == Counter(r["id"] for r in rows)
    assert "attachment" in jsonl.headers["content-disposition"]
    tsv = client.get(f"/api/jobs/{job['id']}/summary.tsv").text.splitlines()
    assert tsv[0].startswith("id\tname") and len(tsv) == 4
    assert "mismatch_repair" in client.get(f"/api/jobs/{job['id']}/report.html").text
    report = client.get(f"/report/job/{job['id']}", params={"set": "mitosis"})
    assert report.status_code == 200 and '<svg class="grid"' in report.text


def test_a_malformed_gmt_gets_a_400_naming_the_line(client):
    response = upload(client, "fine\tdesc\tCDK1\tCCNB1\nno tabs on this line\n", name="mine.gmt")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("mine.gmt, line 2")
    assert client.get("/api/jobs").json() == []


def test_a_table_with_unknown_columns_says_what_columns_it_expected(client):
    response = upload(client, "foo,bar\n1,2\n", name="table.csv")
    assert response.status_code == 400
    assert "Cannot tell what table.csv holds" in response.json()["detail"]


def test_an_unsupported_file_type_gets_415(client):
    assert upload(client, "x", name="sets.xlsx").status_code == 415


def test_uploads_over_the_limit_get_413(web_config, state_dir):
    from fastapi.testclient import TestClient

    from gene_r1.agent.web.app import create_app

    app = create_app(web_config, token=None, home=state_dir, max_upload_bytes=64, warm=False)
    with TestClient(app, base_url=LOCAL) as small:
        assert upload(small, gmt_text(6)).status_code == 413


def test_gene_sets_of_a_file_can_be_read_without_running_them(client):
    response = client.post("/api/gene-sets", files={"file": ("x.gmt", gmt_text(2).encode(), "text/plain")})
    assert [s["id"] for s in response.json()["sets"]] == ["mitosis", "mismatch_repair"]
    assert client.get("/api/jobs").json() == []


def test_an_injection_looking_set_name_and_gene_are_escaped_in_the_report(client):
    text = f"{INJECTION}\tdesc\t" + "\t".join(CELL_CYCLE + [INJECTION]) + "\n"
    job = finished_job(client, upload(client, text).json()["id"])
    assert job["state"] == "done"
    page = client.get(f"/report/job/{job['id']}", params={"set": INJECTION}).text
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<img" not in client.get(f"/api/jobs/{job['id']}/report.html").text


def test_an_unfinished_job_is_resumed_by_a_new_app_without_redoing_finished_sets(web_config, state_dir, client):
    from fastapi.testclient import TestClient

    from gene_r1.agent.web.app import create_app

    job = finished_job(client, upload(client, gmt_text(3)).json()["id"])
    results = state_dir / "jobs" / job["id"] / "results.jsonl"
    kept = results.read_text().splitlines()[:1]
    results.write_text(kept[0] + "\n" + '{"id": "torn by a kil')  # one set lost, and a torn line
    job_file = state_dir / "jobs" / job["id"] / "job.json"
    job_file.write_text(json.dumps(json.loads(job_file.read_text()) | {"state": "running"}))
    first_line_before = kept[0]

    with TestClient(create_app(web_config, token=None, home=state_dir, warm=False), base_url=LOCAL) as restarted:
        resumed = finished_job(restarted, job["id"])
    assert (resumed["state"], resumed["done"]) == ("done", 3)
    lines = results.read_text().splitlines()
    assert lines[0] == first_line_before
    assert sorted(json.loads(line)["id"] for line in lines) == ["glycolysis", "mismatch_repair", "mitosis"]


def test_an_unknown_job_is_404_in_the_api_and_on_its_report_page(client):
    assert client.get("/api/jobs/0123456789abcdef").status_code == 404
    page = client.get("/report/job/0123456789abcdef", params={"set": "x"})
    assert page.status_code == 404 and "No job" in page.text


@pytest.mark.parametrize("path", ["/", "/batch", "/docs", "/openapi.json", "/static/chat.js"])
def test_pages_docs_and_assets_are_served_offline(client, path):
    response = client.get(path)
    assert response.status_code == 200
    if path == "/docs":
        assert "cdn" not in response.text.lower()  # Swagger UI served from this process


SCRIPT = "<script>alert(1)</script>"


def test_a_script_in_a_set_id_description_or_gene_is_escaped_in_every_report(client):
    text = f"{SCRIPT}\t{SCRIPT} described\t" + "\t".join(CELL_CYCLE + [SCRIPT]) + "\n"
    job = finished_job(client, upload(client, text).json()["id"])
    assert job["state"] == "done", job["error"]
    pages = [
        client.get(f"/report/job/{job['id']}", params={"set": SCRIPT}),
        client.get(f"/api/jobs/{job['id']}/report.html"),
    ]
    for page in pages:
        assert page.status_code == 200
        assert "<script>alert" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_a_script_in_a_set_id_is_escaped_on_the_not_finished_page(web_config, state_dir):
    from fastapi.testclient import TestClient

    from gene_r1.agent.web.app import create_app

    with TestClient(create_app(web_config, token=None, home=state_dir, warm=False), base_url=LOCAL) as idle:
        idle.app.state.web.worker.stop()  # the job stays queued, so its report is "not finished yet"
        job = upload(idle, f"{SCRIPT}\tdesc\t" + "\t".join(CELL_CYCLE) + "\n").json()
        page = idle.get(f"/report/job/{job['id']}", params={"set": SCRIPT})
    assert page.status_code == 404 and "not finished yet" in page.text
    assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text
