"""The JSON API: analyze a gene set (as a job, see `agent.web.analyses`), verify a claim, knowledge-base info,
parse an uploaded file of gene sets.

Waiting routes are `async` and poll in-memory queue state, so a hundred clients waiting hold no threads. Blocking
calls are plain `def` routes that FastAPI runs in its thread pool; `gate` bounds how many verifications run at once.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field

from gene_r1.agent.batch.inputs import FORMATS, InputFileError, read_gene_sets
from gene_r1.agent.batch.thresholds import Thresholds, threshold_fields
from gene_r1.agent.web.analyses import FINISHED, MAX_WAIT_S, AnalysisJob, QueueFullError
from gene_r1.agent.web.report import with_links
from gene_r1.agent.web.state import WebState, web_state
from gene_r1.agent.web.uploads import read_upload

router = APIRouter(prefix="/api")

GeneList = list[str]


class AnalyzeRequest(BaseModel):
    genes: GeneList = Field(..., min_length=1, max_length=5000, examples=[["CDK1", "CCNB1", "PLK1", "AURKA"]])


class VerifyRequest(BaseModel):
    claim: str = Field(..., min_length=1, max_length=500, examples=["cell cycle"])
    genes: GeneList = Field(..., min_length=1, max_length=5000, examples=[["CDK1", "CCNB1", "PLK1", "AURKA"]])


def threshold_form_field(name: str):
    """The upload form's field of one cut-off, from its `Thresholds` field (default, meaning and bounds)."""
    cut = threshold_fields()[name]
    return Form(cut.default, description=cut.metadata["help"], **cut.metadata["bounds"])


def thresholds_form(
    padj: float = threshold_form_field("padj"),
    log2fc: float = threshold_form_field("log2fc"),
    max_genes: int = threshold_form_field("max_genes"),
    top_n: int = threshold_form_field("top_n"),
) -> Thresholds:
    return Thresholds(padj=padj, log2fc=log2fc, max_genes=max_genes, top_n=top_n)


def format_form(fmt: str = Form("auto", alias="format", description=f"One of {', '.join(FORMATS)}.")) -> str:
    return fmt


@dataclass(frozen=True)
class GeneSetUpload:
    """An uploaded gene-set file, already checked by `read_upload`, and how to read it."""

    filename: str
    data: bytes
    fmt: str
    thresholds: Thresholds


def gene_set_upload(
    file: UploadFile = File(..., description="GMT, gene-set table, DE table or marker table (10 MB at most)."),
    fmt: str = Depends(format_form),
    thresholds: Thresholds = Depends(thresholds_form),
    web: WebState = Depends(web_state),
) -> GeneSetUpload:
    filename, data = read_upload(file.filename, file.file, web.max_upload_bytes)
    return GeneSetUpload(filename, data, fmt, thresholds)


@router.post(
    "/analyze",
    status_code=202,
    summary="Queue an analysis of one gene set (answers at once with a job id)",
    responses={
        200: {"description": "With `?wait=`: the analysis, when it finished in time (the body of `result` below)."},
        202: {"description": "Queued: the job's status; `Location` is where to poll it."},
        422: {"description": "With `?wait=`: no known gene in the set (the analysis is beside the message)."},
        429: {"description": "The queue is full: retry after `Retry-After` seconds."},
        503: {"description": "With `?wait=`: the knowledge base or the model is not available."},
    },
)
async def analyze_genes(
    request: AnalyzeRequest,
    wait: float = Query(0, ge=0, le=MAX_WAIT_S, description=f"Wait up to this many seconds (<= {MAX_WAIT_S:.0f})."),
    web: WebState = Depends(web_state),
) -> Response:
    """Name the biological process of a gene set: name, confidence, reasoning, evidence (with pathway links) and
    verdicts. The job is stored before this answers, so it survives a server restart. Follow it with
    `GET /api/analyze/{id}` (add `?wait=` to long-poll) or `GET /api/analyze/{id}/events` (server-sent events);
    or add `?wait=S` here to get the analysis itself when it finishes within S seconds."""
    try:
        job = await run_in_threadpool(web.analyses.submit, request.genes)
    except QueueFullError as error:
        return JSONResponse({"detail": str(error)}, 429, headers={"Retry-After": str(error.retry_after)})
    headers = {"Location": f"/api/analyze/{job.id}"}
    if wait and await finished_within(web, job.id, wait):
        return outcome(web, web.analyses.store.get(job.id), headers)
    return JSONResponse(analysis_status(web, web.analyses.store.get(job.id)), 202, headers=headers)


@router.get("/analyze/{job_id}", summary="An analysis job: its state, queue position and (when done) result")
async def get_analysis(
    job_id: str,
    wait: float = Query(0, ge=0, le=MAX_WAIT_S, description=f"Wait up to this many seconds (<= {MAX_WAIT_S:.0f})."),
    web: WebState = Depends(web_state),
) -> dict:
    """`state` is queued, running, done or failed; `result` is the analysis once done (its `error` says why a set
    with no known gene has no name); `error` says why a job failed."""
    web.analyses.store.get(job_id)  # 404 for an unknown id before any waiting
    if wait:
        await finished_within(web, job_id, wait)
    return analysis_status(web, web.analyses.store.get(job_id))


@router.get("/analyze/{job_id}/events", summary="An analysis job's progress as server-sent events")
async def analysis_events(job_id: str, web: WebState = Depends(web_state)) -> StreamingResponse:
    """Events: `status` ({"state", "position"}) at the start and on every change, then `done` or `failed` with
    the job's full status (as `GET /api/analyze/{id}`). A comment line every 15 s keeps proxies from timing out."""
    web.analyses.store.get(job_id)

    async def stream():
        last, idle_since = None, time.monotonic()
        while True:
            job = web.analyses.store.get(job_id)
            if job.state in FINISHED and not web.analyses.is_active(job_id):
                yield sse(job.state, analysis_status(web, job))
                return
            now = {"state": job.state, "position": web.analyses.position(job_id)}
            if now != last:
                yield sse("status", now)
                last, idle_since = now, time.monotonic()
            elif time.monotonic() - idle_since > 15:
                yield ": waiting\n\n"
                idle_since = time.monotonic()
            await asyncio.sleep(0.2)

    return StreamingResponse(
        stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )


async def finished_within(web: WebState, job_id: str, seconds: float) -> bool:
    """Wait (without holding a thread) until the job is finished or `seconds` pass."""
    deadline = time.monotonic() + min(seconds, MAX_WAIT_S)
    while web.analyses.is_active(job_id):
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(0.05)
    return web.analyses.store.get(job_id).state in FINISHED


def analysis_status(web: WebState, job: AnalysisJob) -> dict:
    result = web.analyses.store.result(job) if job.state == "done" else None
    return job.to_dict() | {
        "position": web.analyses.position(job.id),
        "result": with_links(result) if result else None,
        "location": f"/api/analyze/{job.id}",
        "events": f"/api/analyze/{job.id}/events",
    }


def outcome(web: WebState, job: AnalysisJob, headers: dict) -> JSONResponse:
    """A finished job answered as the synchronous API always did: the analysis, 422 or the failure's status."""
    if job.state == "failed":
        return JSONResponse({"detail": job.error}, job.error_status or 500, headers=headers)
    result = with_links(web.analyses.store.result(job) or {})
    if result.get("error") and not result.get("name"):
        return JSONResponse({"detail": result["error"], "analysis": result}, 422, headers=headers)
    return JSONResponse(result, headers=headers)


def sse(event: str, payload: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n"


@router.post("/verify", summary="Check a proposed function against the evidence (no model)")
def verify_claim(request: VerifyRequest, web: WebState = Depends(web_state)) -> dict:
    from gene_r1.agent.api import verify

    context = web.context()
    with web.gate:
        return with_links(verify(request.claim, request.genes, context=context).to_dict())


@router.get("/kb", summary="What the knowledge base holds: sources, releases, counts")
def kb_info(web: WebState = Depends(web_state)) -> dict:
    from gene_r1.knowledge_base.paths import store_path
    from gene_r1.knowledge_base.store import PathwayStore

    store = PathwayStore.open(store_path(web.config.home))
    try:
        return {
            "path": str(store.path),
            "sources": [{"source": s, "pathways": store.count_pathways(s)} for s in store.sources()],
            "releases": [vars(r) for r in store.releases()],
            "genes": store.count_genes(),
            "aliases": store.count_aliases(),
            "meta": store.meta(),
        }
    finally:
        store.close()


@router.post("/gene-sets", summary="Read the gene sets of an uploaded file (nothing is run)")
def parse_gene_sets(upload: GeneSetUpload = Depends(gene_set_upload)) -> dict:
    """For the chat page's "pick a set from a file": the sets the batch reader finds, with their genes."""
    filename = upload.filename
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ("input" + Path(filename).suffix.lower())
        path.write_bytes(upload.data)
        try:
            sets = read_gene_sets(path, upload.fmt, upload.thresholds)
        except InputFileError as error:
            raise InputFileError(str(error).replace(path.name, filename).replace(folder, "")) from None
    rows = [{"id": s.id, "genes": list(s.genes), "description": s.description} for s in sets]
    return {"filename": filename, "sets": rows}
