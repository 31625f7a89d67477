"""The options that choose the model (`--model --adapter --backend --base-url`), declared once for every command.

`analyze`, `batch`, `chat`, `serve`, `model info` and `model generate` all take them. A command asks for them with
one parameter, `choice: ModelChoice`, under `@with_model_choice`: the decorator puts the four options in that
parameter's place (so `--help` lists them there) and calls the command with them gathered into a `ModelChoice`.
"""

from __future__ import annotations

import functools
import inspect
from dataclasses import asdict, dataclass
from typing import Any

import typer

MODEL_OPTIONS = {
    "model": typer.Option(
        None, "--model", help="A local HF model dir, a .gguf file, a HF id (online), or the served model name "
        "(openai backend). Default: the embedded SmolLM2-135M-Instruct.",
    ),
    "adapter": typer.Option(
        None, "--adapter", help="A LoRA adapter dir (openai backend: the served LoRA name); 'none' for none. "
        "Default: the shipped Gene-R1 adapter for the embedded model, if any.",
    ),
    "backend": typer.Option(None, "--backend", help="transformers (CPU default, also GPU) | vllm (GPU) | openai."),
    "base_url": typer.Option(None, "--base-url", help="openai backend: the server, e.g. http://127.0.0.1:8000/v1."),
}


@dataclass(frozen=True)
class ModelChoice:
    """The model options as given; None leaves that choice to the environment (`GENE_R1_MODEL`, ...) or the
    default, as `AgentConfig.from_env` and `ModelConfig.from_env` resolve them."""

    model: str | None = None
    adapter: str | None = None
    backend: str | None = None
    base_url: str | None = None

    def settings(self) -> dict[str, str | None]:
        """Keyword arguments for `AgentConfig.from_env` or `ModelConfig.from_env`."""
        return asdict(self)


def with_model_choice(command):
    """A Typer command taking `choice: ModelChoice` becomes one taking the four model options in its place."""
    signature = inspect.signature(command, eval_str=True)
    if "choice" not in signature.parameters:
        raise TypeError(f"{command.__name__} needs a `choice: ModelChoice` parameter for the model options.")
    parameters = []
    for parameter in signature.parameters.values():
        if parameter.name == "choice":
            parameters += [
                inspect.Parameter(name, parameter.kind, default=option, annotation=str)
                for name, option in MODEL_OPTIONS.items()
            ]
        else:
            parameters.append(parameter)

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        choice = ModelChoice(**{name: kwargs.pop(name, None) for name in MODEL_OPTIONS})
        return command(*args, choice=choice, **kwargs)

    run.__signature__ = signature.replace(parameters=parameters)
    run.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": signature.return_annotation}
    return run
