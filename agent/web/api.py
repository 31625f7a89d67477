"""The JSON API: analyze a gene set, verify a claim, knowledge-base info, parse an uploaded file of gene sets.

Blocking agent calls are plain `def` routes, so FastAPI runs them in its thread pool; `gate` bounds how many run
at once (the model shares the machine's cores).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from agent.batch.inputs import FORMATS, InputFileError, Thresholds, read_gene_sets
from agent.web.report import with_links
from agent.web.state import WebState, web_state
from agent.web.uploads import read_upload

router = APIRouter(prefix="/api")

GeneList = list[str]


class AnalyzeRequest(BaseModel):
    genes: GeneList = Field(..., min_length=1, max_length=5000, examples=[["CDK1", "CCNB1", "PLK1", "AURKA"]])


class VerifyRequest(BaseModel):
    claim: str = Field(..., min_length=1, max_length=500, examples=["cell cycle"])
    genes: GeneList = Field(..., min_length=1, max_length=5000, examples=[["CDK1", "CCNB1", "PLK1", "AURKA"]])


def thresholds_form(
    padj: float = Form(0.05, gt=0, le=1, description="DE/marker tables: adjusted p-value cut-off."),
    log2fc: float = Form(1.0, ge=0, description="DE tables: |log2 fold change| cut-off."),
    max_genes: int = Form(200, ge=1, le=5000, description="DE tables: at most this many genes per set."),
    top_n: int = Form(50, ge=1, le=5000, description="Marker tables: top N markers per group."),
) -> Thresholds:
    return Thresholds(padj=padj, log2fc=log2fc, max_genes=max_genes, top_n=top_n)


def format_form(fmt: str = Form("auto", alias="format", description=f"One of {', '.join(FORMATS)}.")) -> str:
    return fmt


@router.post("/analyze", summary="Name the biological process of one gene set")
def analyze_genes(request: AnalyzeRequest, web: WebState = Depends(web_state)) -> JSONResponse:
    """The full analysis: name, confidence, reasoning, evidence (with pathway links) and verdicts. A set with no
    known gene answers 422 with the analysis (its `unknown_genes`) beside the message."""
    from agent.api import analyze

    context = web.context()
    with web.gate:
        result = with_links(analyze(request.genes, context=context).to_dict())
    if result["error"] and not result["name"]:
        return JSONResponse({"detail": result["error"], "analysis": result}, status_code=422)
    return JSONResponse(result)


@router.post("/verify", summary="Check a proposed function against the evidence (no model)")
def verify_claim(request: VerifyRequest, web: WebState = Depends(web_state)) -> dict:
    from agent.api import verify

    context = web.context()
    with web.gate:
        return with_links(verify(request.claim, request.genes, context=context).to_dict())


@router.get("/kb", summary="What the knowledge base holds: sources, releases, counts")
def kb_info(web: WebState = Depends(web_state)) -> dict:
    from knowledge_base.paths import store_path
    from knowledge_base.store import PathwayStore

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
def parse_gene_sets(
    file: UploadFile = File(..., description="GMT, gene-set table, DE table or marker table (10 MB at most)."),
    fmt: str = Depends(format_form),
    thresholds: Thresholds = Depends(thresholds_form),
    web: WebState = Depends(web_state),
) -> dict:
    """For the chat page's "pick a set from a file": the sets the batch reader finds, with their genes."""
    filename, data = read_upload(file.filename, file.file, web.max_upload_bytes)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ("input" + Path(filename).suffix.lower())
        path.write_bytes(data)
        try:
            sets = read_gene_sets(path, fmt, thresholds)
        except InputFileError as error:
            raise InputFileError(str(error).replace(path.name, filename).replace(folder, "")) from None
    rows = [{"id": s.id, "genes": list(s.genes), "description": s.description} for s in sets]
    return {"filename": filename, "sets": rows}
