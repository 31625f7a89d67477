"""The web app: `create_app` wires the API, the pages, the job worker and the optional token together.

Everything the agent does goes through `agent.api` / `agent.chat` / `agent.batch`; this package only serves it.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable
from contextlib import asynccontextmanager
from html import escape
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from gene_r1.agent.config import AgentConfig
from gene_r1.agent.web.analyses import AnalysisPool, AnalysisStore
from gene_r1.agent.web.auth import LOCAL_HOSTS, allowed_hosts, host_middleware, redact_access_log, token_middleware
from gene_r1.agent.web.jobs import JobStore, JobWorker
from gene_r1.agent.web.pages import STATIC
from gene_r1.agent.web.report import page
from gene_r1.agent.web.state import WebState
from gene_r1.agent.web.uploads import DEFAULT_MAX_BYTES

log = logging.getLogger("gene_r1.web")

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
DOCS_PATHS = ("/docs", "/redoc")


def create_app(
    config: AgentConfig,
    *,
    token: str | None,
    home: Path,
    batch_size: int = 8,
    max_upload_bytes: int = DEFAULT_MAX_BYTES,
    concurrency: int = 2,
    queue_size: int = 32,
    warm: bool = True,
    hosts: Iterable[str] = LOCAL_HOSTS,
    threads: int | None = None,
) -> FastAPI:
    """The app for one agent configuration. `home` holds its state (jobs/, analyses/, chat/); the knowledge base
    and model come from `config`. `concurrency` analyses run at once and at most `queue_size` wait (more get 429).
    With a `token`, every request without it gets 401. A request whose Host header is not one of `hosts` (plus the
    loopback names) gets 400. torch's intra-op threads are set once at start to `threads` (default: the CPUs shared
    among the `concurrency` analyses, so concurrent analyses never oversubscribe the cores); no request changes
    them. `warm` loads the knowledge base, its enrichment index and search index, and the ranker at start."""
    from fastapi_offline import FastAPIOffline

    jobs = JobStore(home / "jobs")
    analyses = AnalysisStore(home / "analyses")
    web = WebState(
        config=config,
        home=home,
        token=token,
        jobs=jobs,
        worker=JobWorker(jobs, lambda: web.context(), batch_size=batch_size),
        analyses=AnalysisPool(analyses, lambda: web.context(), workers=concurrency, max_waiting=queue_size),
        max_upload_bytes=max_upload_bytes,
        gate=threading.Semaphore(concurrency),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        from gene_r1.knowledge_base.embedding import pin_threads

        redact_access_log()  # after the server configured its logging, before the first request is logged
        pin_threads(threads or max(1, (os.cpu_count() or 1) // concurrency))
        for kind, resumed in (("batch job", web.worker.start()), ("analysis", web.analyses.start())):
            if resumed:
                log.info("resuming %d unfinished %s(s): %s", len(resumed), kind, ", ".join(resumed))
        if warm:
            threading.Thread(target=warm_up, args=(web,), name="gene-r1-warm-up", daemon=True).start()
        else:
            web.warmed.set()
        yield
        web.analyses.stop()
        web.worker.stop()

    app = FastAPIOffline(
        title="gene-r1",
        summary="What does this list of genes do? Evidence-backed answers from a local Gene-R1 agent.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.web = web
    add_error_handlers(app)
    if token:
        app.middleware("http")(token_middleware(token))
    app.middleware("http")(security_headers)
    app.middleware("http")(host_middleware(allowed_hosts("localhost", hosts)))  # added last: runs first

    from gene_r1.agent.web import api, chat_api, jobs_api, pages

    app.include_router(api.router, tags=["analysis"])
    app.include_router(chat_api.router, tags=["chat"])
    app.include_router(jobs_api.router, tags=["batch jobs"])
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def warm_up(web: WebState) -> None:
    """Before the first request needs them: open the knowledge base and build what analyses use (the enrichment
    index, the symbol lookup, the search index with its embedder, the lexicon), load the ranker, and load the model
    when analyses will call it (the judge weighs its vote, or `--explain`). Otherwise the model loads on its first
    use (a chat question). `web.warmed` is set when this is over, loaded or not."""
    from gene_r1.agent.model import ModelError
    from gene_r1.agent.ranker import RankerError
    from gene_r1.knowledge_base.store import KnowledgeBaseError

    try:
        context = web.context()
        context.kb.warm_up()
        _ = context.ranker
        if web.config.explain or context.judge_model_needed:
            context.model.info()
            log.info("knowledge base, ranker and model loaded")
        else:
            log.info("knowledge base and ranker loaded; the model loads on its first use")
    except (KnowledgeBaseError, ModelError, RankerError, OSError, ValueError) as error:
        log.error("could not load the agent yet (requests will say why): %s", error)
    finally:
        web.warmed.set()


async def security_headers(request: Request, call_next) -> Response:
    response = await call_next(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if not request.url.path.startswith(DOCS_PATHS):
        response.headers.setdefault("Content-Security-Policy", CSP)
    return response


def error_response(request: Request, status: int, message: str) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": message}, status_code=status)
    body = page(f"gene-r1: error {status}", f'<h1>Error {status}</h1><p class="error">{escape(message)}</p>')
    return HTMLResponse(body, status_code=status)


def add_error_handlers(app: FastAPI) -> None:
    """Known problems answer with their message and a fitting status, never a traceback."""
    from gene_r1.agent.api import InputError
    from gene_r1.agent.batch.inputs import InputFileError
    from gene_r1.agent.model import ModelError
    from gene_r1.agent.web.jobs import JobNotFoundError
    from gene_r1.agent.web.uploads import UploadError
    from gene_r1.knowledge_base.store import KnowledgeBaseError

    statuses = {
        InputError: 422,
        InputFileError: 400,
        JobNotFoundError: 404,
        KnowledgeBaseError: 503,
        ModelError: 503,
    }
    for error_type, status in statuses.items():

        async def handle(request: Request, error: Exception, status: int = status) -> Response:
            return error_response(request, status, str(error))

        app.add_exception_handler(error_type, handle)

    async def handle_upload(request: Request, error: UploadError) -> Response:
        return error_response(request, error.status, str(error))

    app.add_exception_handler(UploadError, handle_upload)
