"""The pages: chat and batch are static HTML + vanilla JS (under static/) inside the app's one page shell
(`report.page`); reports are rendered here."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import HTMLResponse

from gene_r1.agent.web.chat_api import checked_thread, thread_values
from gene_r1.agent.web.jobs_api import find_result
from gene_r1.agent.web.report import page, report_page
from gene_r1.agent.web.state import WebState, web_state

STATIC = Path(__file__).parent / "static"
router = APIRouter(include_in_schema=False)


def static_page(name: str, title: str) -> HTMLResponse:
    """static/NAME_main.html in the page shell, with common.js and static/NAME.js."""
    body = (STATIC / f"{name}_main.html").read_text(encoding="utf-8")
    return HTMLResponse(page(title, body, scripts=("common.js", f"{name}.js")))


@router.get("/")
def chat_page() -> HTMLResponse:
    return static_page("chat", "gene-r1 · chat")


@router.get("/batch")
def batch_page() -> HTMLResponse:
    return static_page("batch", "gene-r1 · batch")


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
