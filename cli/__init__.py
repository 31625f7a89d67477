"""`gene-r1`: the commands of every package in one Typer app.

It sits above the four packages (knowledge_base -> tools -> agent -> training): it adds training's `train` and
`eval` to the agent's app, so no package imports one above it.
"""

from __future__ import annotations

from agent.cli import build_app
from training.cli import app as train_app
from training.cli import eval_command

app = build_app()
app.command("eval")(eval_command)
app.add_typer(train_app, name="train", help="Build reasoning data and train LoRA adapters (SFT, GRPO).")

if __name__ == "__main__":
    app()
