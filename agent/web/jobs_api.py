"""Batch jobs over HTTP: upload -> job id -> progress -> results (JSON, JSONL, TSV, HTML)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import FileResponse, Response

from gene_r1.agent.coherence_words import theme_names, verdict_label
from gene_r1.agent.web.api import GeneSetUpload, gene_set_upload
from gene_r1.agent.web.jobs import Job, JobNotFoundError
from gene_r1.agent.web.report import with_links
from gene_r1.agent.web.state import WebState, web_state

router = APIRouter(prefix="/api/jobs")


def job_status(web: WebState, job: Job) -> dict:
    status = job.to_dict()
    del status["set_ids"]
    return status | {"done": web.jobs.progress(job)}


def summary_row(result: dict) -> dict:
    top = result["evidence"][0] if result["evidence"] else None
    return {
        "id": result["id"],
        "name": result["name"],
        "confidence": result["confidence"],
        "n_genes": len(result["genes"]),
        "n_unknown": len(result["unknown_genes"]),
        "top_pathway": f"{top['pathway_id']} {top['name']}" if top else "",
        "top_fdr": top["fdr"] if top else None,
        "verdict": verdict_label(result),
        "coherence": result["coherence"]["coherence"] if result.get("coherence") else None,
        "themes": theme_names(result.get("themes", [])),
        "chosen_from": result["chosen_from"],
        "description": result.get("description", ""),
        "error": result["error"],
    }


def attachment(name: str) -> dict:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@router.post("", status_code=201, summary="Upload a GMT / DE table / marker table and queue a batch job")
def create_job(upload: GeneSetUpload = Depends(gene_set_upload), web: WebState = Depends(web_state)) -> dict:
    """The file is read at once: a malformed one answers 400 with the line or column at fault, and no job."""
    job = web.jobs.create(upload.filename, upload.data, upload.fmt, upload.thresholds)
    web.worker.submit(job)
    return job_status(web, job)


@router.get("", summary="All jobs, newest first")
def list_jobs(web: WebState = Depends(web_state)) -> list[dict]:
    return [job_status(web, job) for job in web.jobs.all()]


@router.get("/{job_id}", summary="A job's state and progress (done of total sets)")
def get_job(job_id: str, web: WebState = Depends(web_state)) -> dict:
    return job_status(web, web.jobs.get(job_id))


@router.post("/{job_id}/retry", summary="Queue a failed job again (finished sets are kept, not redone)")
def retry_job(job_id: str, web: WebState = Depends(web_state)) -> dict:
    job = web.jobs.get(job_id)
    if job.state != "failed":
        raise HTTPException(409, f"Job {job_id} is {job.state}; only a failed job can be retried.")
    job = replace(job, state="queued", error="", finished=None)
    web.jobs.save(job)
    web.worker.submit(job)
    return job_status(web, job)


@router.get("/{job_id}/results", summary="One summary row per finished set (for the results table)")
def job_results(job_id: str, web: WebState = Depends(web_state)) -> list[dict]:
    return [summary_row(r) for r in web.jobs.results(web.jobs.get(job_id))]


@router.get("/{job_id}/result", summary="The full analysis of one set of a job")
def job_result(job_id: str, set_id: str = Query(..., alias="set"), web: WebState = Depends(web_state)) -> dict:
    return with_links(find_result(web, job_id, set_id))


def find_result(web: WebState, job_id: str, set_id: str) -> dict:
    job = web.jobs.get(job_id)
    for result in web.jobs.results(job):
        if result["id"] == set_id:
            return result
    if set_id in job.set_ids:
        raise JobNotFoundError(f"Set {set_id!r} of job {job_id} is not finished yet.")
    raise JobNotFoundError(f"Job {job_id} has no set {set_id!r}.")


def download(web: WebState, job_id: str, body: Callable[[Job], str], suffix: str, media_type: str) -> Response:
    """A job's finished sets rendered by `body`, as an attachment named after the job."""
    job = web.jobs.get(job_id)
    return Response(body(job), media_type=media_type, headers=attachment(f"gene-r1-{job.id}.{suffix}"))


@router.get("/{job_id}/results.jsonl", summary="Download: one JSON line per finished set")
def download_jsonl(job_id: str, web: WebState = Depends(web_state)) -> Response:
    from gene_r1.agent.web.jobs import complete_lines

    def body(job: Job) -> str:
        return "".join(line + "\n" for line in complete_lines(web.jobs.results_path(job)))

    return download(web, job_id, body, "jsonl", "application/x-ndjson")


@router.get("/{job_id}/summary.tsv", summary="Download: one summary row per finished set")
def download_tsv(job_id: str, web: WebState = Depends(web_state)) -> Response:
    from gene_r1.agent.render import to_summary_tsv

    return download(web, job_id, lambda job: to_summary_tsv(web.jobs.results(job)), "tsv", "text/tab-separated-values")


@router.get("/{job_id}/report.html", summary="Download: a self-contained HTML report of every finished set")
def download_html(job_id: str, web: WebState = Depends(web_state)) -> Response:
    from gene_r1.agent.render import to_html

    def body(job: Job) -> str:
        return to_html(web.jobs.results(job), title=f"gene-r1: {job.filename}")

    return download(web, job_id, body, "html", "text/html")


@router.get("/{job_id}/input", summary="Download the uploaded file as it was received")
def download_input(job_id: str, web: WebState = Depends(web_state)) -> FileResponse:
    job = web.jobs.get(job_id)
    return FileResponse(web.jobs.folder(job.id) / job.input_name, media_type="text/plain", filename=job.filename)
