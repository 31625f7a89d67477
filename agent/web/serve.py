"""`gene-r1 serve`: the web app and HTTP API on one port (localhost by default)."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import typer

from gene_r1.agent.commands import ExplainOption, SelectionOption, friendly_errors, make_config
from gene_r1.agent.model_options import ModelChoice, with_model_choice

LOOPBACK_NAMES = ("localhost",)


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_wildcard(host: str) -> bool:
    """Bound to every interface (0.0.0.0, ::): the bound host is then no name a client sends."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        return False


def exposure_warning(host: str, token: str | None) -> str | None:
    """The warning to print when the app is reachable from other machines without a token."""
    if token or is_loopback(host):
        return None
    return (
        f"warning: serving on {host} without an access token: anyone who can reach this machine can use the app, "
        "run jobs and read every result. Pass --token (or set GENE_R1_TOKEN)."
    )


@friendly_errors
@with_model_choice
def serve_command(
    host: str = typer.Option("127.0.0.1", help="Address to bind (default: this machine only)."),
    port: int = typer.Option(8000, help="Port to listen on."),
    token: str = typer.Option(
        None, "--token", envvar="GENE_R1_TOKEN", help="Access token: without it every request gets 401."
    ),
    allow_host: list[str] = typer.Option(
        None, "--allow-host", help="A host name clients may use to reach the server, besides the bound host and "
        "localhost (repeatable): requests naming any other host get 400 (DNS rebinding)."
    ),
    ssl_certfile: Path = typer.Option(None, "--ssl-certfile", help="Serve HTTPS with this certificate (PEM)."),
    ssl_keyfile: Path = typer.Option(None, "--ssl-keyfile", help="The certificate's private key (PEM)."),
    threads: int = typer.Option(
        None, min=1, help="torch threads, set once at start (default: the CPUs divided among --concurrency)."
    ),
    state_dir: Path = typer.Option(
        None, "--state-dir", help="Where jobs and chat threads live (default: the data home, $GENE_R1_HOME)."
    ),
    batch_size: int = typer.Option(8, min=1, help="Gene sets per batched generation call in batch jobs."),
    max_upload_mb: float = typer.Option(10.0, min=0.001, help="Upload size limit in MB."),
    concurrency: int = typer.Option(2, min=1, help="Analyses (and chat turns) running at once."),
    queue_size: int = typer.Option(
        32, min=1, help="Analyses that may wait for a worker; more get 429 with Retry-After."
    ),
    selection: str = SelectionOption,
    explain: bool = ExplainOption,
    choice: ModelChoice = ModelChoice(),
) -> None:
    """Start the web app (chat, batch jobs, reports) and the HTTP API; OpenAPI docs at /docs.

    Example: gene-r1 serve --port 8000   then open http://127.0.0.1:8000/

    Docs: docs/web.md (sharing a server: docs/security.md)
    """
    import uvicorn

    from gene_r1.agent.web.app import create_app
    from gene_r1.knowledge_base.paths import data_home

    config = make_config(choice, selection=selection, explain=explain)
    home = state_dir or config.home or data_home()
    if bool(ssl_certfile) != bool(ssl_keyfile):
        raise typer.BadParameter("--ssl-certfile and --ssl-keyfile go together.")
    warning = exposure_warning(host, token)
    if warning:
        typer.secho(warning, fg=typer.colors.YELLOW, err=True)
    if is_wildcard(host) and not allow_host:
        typer.secho(
            f"note: bound to {host}: clients must reach it as localhost unless you name the host they use "
            "with --allow-host NAME (other Host headers get 400).", fg=typer.colors.YELLOW, err=True,
        )
    app = create_app(
        config,
        token=token or None,
        home=home,
        batch_size=batch_size,
        max_upload_bytes=int(max_upload_mb * 1024 * 1024),
        concurrency=concurrency,
        queue_size=queue_size,
        hosts=(host, *(allow_host or ())),
        threads=threads,
    )
    shown = f"[{host}]" if ":" in host else host
    scheme = "https" if ssl_certfile else "http"
    typer.echo(f"gene-r1 on {scheme}://{shown}:{port}/" + ("?token=…  (token required)" if token else ""))
    tls = {"ssl_certfile": str(ssl_certfile), "ssl_keyfile": str(ssl_keyfile)} if ssl_certfile else {}
    show_app_log()
    uvicorn.run(app, host=host, port=port, log_level="info", **tls)


def show_app_log() -> None:
    """gene-r1's own INFO lines (resumed jobs, a job's progress at most every 10 s) on stderr, as uvicorn's are;
    without a handler Python drops INFO records."""
    import logging

    logger = logging.getLogger("gene_r1")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
