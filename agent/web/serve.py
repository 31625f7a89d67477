"""`gene-r1 serve`: the web app and HTTP API on one port (localhost by default)."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import typer

from agent.commands import AdapterOption, BackendOption, BaseUrlOption, ModelOption, friendly_errors, make_config
from agent.config import SELECTION_RULES

LOOPBACK_NAMES = ("localhost",)


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
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
def serve_command(
    host: str = typer.Option("127.0.0.1", help="Address to bind (default: this machine only)."),
    port: int = typer.Option(8000, help="Port to listen on."),
    token: str = typer.Option(
        None, "--token", envvar="GENE_R1_TOKEN", help="Access token: without it every request gets 401."
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
    selection: str = typer.Option(
        "judge", help=f"How analyses choose the final name among grounded candidates: {', '.join(SELECTION_RULES)}."
    ),
    explain: bool = typer.Option(
        False, "--explain", help="Analyses also ask the model for a short explanation citing candidates by number."
    ),
    model: str = ModelOption,
    adapter: str = AdapterOption,
    backend: str = BackendOption,
    base_url: str = BaseUrlOption,
) -> None:
    """Start the web app (chat, batch jobs, reports) and the HTTP API; OpenAPI docs at /docs.

    Example: gene-r1 serve --port 8000   then open http://127.0.0.1:8000/
    """
    import uvicorn

    from agent.web.app import create_app
    from knowledge_base.paths import data_home

    config = make_config(model, adapter, backend, base_url, selection=selection, explain=explain)
    home = state_dir or config.home or data_home()
    warning = exposure_warning(host, token)
    if warning:
        typer.secho(warning, fg=typer.colors.YELLOW, err=True)
    app = create_app(
        config,
        token=token or None,
        home=home,
        batch_size=batch_size,
        max_upload_bytes=int(max_upload_mb * 1024 * 1024),
        concurrency=concurrency,
        queue_size=queue_size,
    )
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"gene-r1 on http://{shown}:{port}/" + ("?token=…  (token required)" if token else ""))
    uvicorn.run(app, host=host, port=port, log_level="info")
