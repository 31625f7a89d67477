"""The `gene-r1` command line: one Typer app composed of each package's sub-commands.

Sub-apps import their heavy dependencies (torch, chromadb) inside commands, so `gene-r1 --help` stays fast.
"""

from __future__ import annotations

import typer

from agent.commands import analyze_command, batch_command, chat_command, verify_command
from agent.model_cli import app as model_app
from agent.web.serve import serve_command
from knowledge_base.cli import app as kb_app
from training.cli import app as train_app
from training.cli import eval_command

app = typer.Typer(
    help="gene-r1: what does this list of genes do? A local Gene-R1 model reasons over Reactome and "
    "WikiPathways evidence and checks its own claims.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Plain help: Rich's help layout imports ~0.1-0.2 s of modules, most of a 0.3 s `gene-r1 --help`.
    rich_markup_mode=None,
)


@app.callback()
def main(
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="Show library warnings, logging and model-loading progress bars."
    ),
) -> None:
    from agent.quiet import configure_output

    configure_output(verbose)


app.command("analyze")(analyze_command)
app.command("verify")(verify_command)
app.command("batch")(batch_command)
app.command("chat")(chat_command)
app.command("serve")(serve_command)
app.command("eval")(eval_command)
app.add_typer(kb_app, name="kb", help="Build and inspect the local pathway knowledge base.")
app.add_typer(model_app, name="model", help="The model runtime alone: show its settings, or get a raw answer.")
app.add_typer(train_app, name="train", help="Build reasoning data and train LoRA adapters (SFT, GRPO).")

if __name__ == "__main__":
    app()
