"""The pages: chat and batch are static HTML + vanilla JS (under static/); reports are rendered here."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import HTMLResponse

from gene_r1.agent.web.chat_api import checked_thread, thread_values
from gene_r1.agent.web.jobs_api import find_result
from gene_r1.agent.web.report import report_page
from gene_r1.agent.web.state import WebState, web_state

STATIC = Path(__file__).parent / "static"
router = APIRouter(include_in_schema=False)


def static_page(name: str) -> HTMLResponse:
    return HTMLResponse((STATIC / name).read_text(encoding="utf-8"))


@router.get("/")
def chat_page() -> HTMLResponse:
    return static_page("chat.html")


@router.get("/batch")
def batch_page() -> HTMLResponse:
    return static_page("batch.html")


@router.get("/report/job/{job_id}")
def job_report(job_id: str, set_id: str = Query(..., alias="set"), web: WebState = Depends(web_state)) -> HTMLResponse:
    result = find_result(web, job_id, set_id)
    return HTMLResponse(report_page(result, f"/batch#job={quote(job_id)}", "batch results"))


@router.get("/report/chat/{thread_id}")
def chat_report(thread_id: str, web: WebState = Depends(web_state)) -> HTMLResponse:
    analysis = thread_values(web.chat_graph(), checked_thread(thread_id)).get("analysis")
    if not analysis:
        raise HTTPException(404, f"Thread {thread_id} has no analysis yet: send it a gene set first.")
    return HTMLResponse(report_page(analysis, f"/#thread={quote(thread_id)}", "chat"))
