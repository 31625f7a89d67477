"""The model runtime's types: configuration, one answer, the backend interface, and the errors. Backends import
this module, never `agent.model` (which loads them), so there is no import cycle between the two.

Environment variables, read in one place (`model_env`, which `ModelConfig.from_env` and `AgentConfig.from_env`
ask): `GENE_R1_BACKEND`, `GENE_R1_MODEL`, `GENE_R1_ADAPTER` (`none` = no adapter), `GENE_R1_BASE_URL`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

from gene_r1.agent.prompts import Message

Backend = Literal["transformers", "vllm", "openai"]
PromptStyle = Literal["chat", "reference"]
BACKENDS: tuple[str, ...] = ("transformers", "vllm", "openai")
PROMPT_STYLES: tuple[str, ...] = ("chat", "reference")

BACKEND_ENV = "GENE_R1_BACKEND"
MODEL_ENV = "GENE_R1_MODEL"
ADAPTER_ENV = "GENE_R1_ADAPTER"
BASE_URL_ENV = "GENE_R1_BASE_URL"
NO_ADAPTER = "none"  # an adapter value that turns the default adapter off

EMBEDDED_MODEL_NAME = "SmolLM2-135M-Instruct (embedded)"
DEFAULT_ADAPTER_DIR = Path(__file__).resolve().parents[1] / "training" / "adapters" / "smollm2-135m-gene-r1"


class ModelError(RuntimeError):
    """A model could not be loaded or could not answer; the message says what to do about it."""


class ModelNotFoundError(ModelError):
    """The model, GGUF file or adapter asked for is not there (or not reachable offline)."""


class BackendUnavailableError(ModelError):
    """The backend's optional dependency is not installed, or its server cannot be reached."""


class PromptTooLongError(ModelError):
    """The prompt does not fit in the model's context window."""


@dataclass(frozen=True)
class ModelConfig:
    """Which model to run, where and how. `model=None` means the embedded SmolLM2-135M-Instruct.

    `adapter=None` means the default adapter (`default_adapter_dir()`) for the embedded model and none for any other
    model; `"none"` turns adapters off. For the `openai` backend, `model` is the served model name and `adapter` the
    name of a served LoRA module (`vllm serve ... --lora-modules gene-r1=/path`), which is then requested instead.
    """

    backend: Backend = "transformers"
    model: str | None = None  # a local HF directory, a .gguf file, a Hugging Face id, or a served model name
    gguf_file: str | None = None  # the GGUF file inside `model` (a directory or Hub repo), if it holds several
    adapter: str | None = None
    merge_adapter: bool = False
    device: str = "auto"  # auto | cpu | cuda | cuda:N | mps
    dtype: str | None = None  # None: float32 on CPU, bfloat16 on GPU; or float32 | bfloat16 | float16 | auto
    threads: int | None = None  # torch intra-op threads (CPU)
    base_url: str | None = None  # openai backend, e.g. http://127.0.0.1:8000/v1
    api_key_env: str = "OPENAI_API_KEY"
    request_timeout_s: float = 120.0
    max_retries: int = 3
    prompt_style: PromptStyle = "chat"
    max_batch_size: int = 8  # generate_batch splits longer lists into chunks of this size
    home: Path | None = None  # the data home holding the embedded model's converted copy (None: $GENE_R1_HOME)

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ModelError(f"Unknown backend {self.backend!r}: choose one of {', '.join(BACKENDS)}.")
        if self.prompt_style not in PROMPT_STYLES:
            raise ModelError(f"Unknown prompt style {self.prompt_style!r}: choose one of {', '.join(PROMPT_STYLES)}.")
        if self.threads is not None and self.threads < 1:
            raise ModelError(f"threads must be at least 1, got {self.threads}.")
        if self.max_batch_size < 1:
            raise ModelError(f"max_batch_size must be at least 1, got {self.max_batch_size}.")
        if self.request_timeout_s <= 0 or self.max_retries < 0:
            raise ModelError("request_timeout_s must be positive and max_retries non-negative.")

    @classmethod
    def from_env(cls, **overrides: Any) -> ModelConfig:
        """A config from `GENE_R1_BACKEND/MODEL/ADAPTER/BASE_URL` (`model_env`); explicit non-None `overrides`
        win."""
        values: dict[str, Any] = {**model_env()}
        values.update({key: value for key, value in overrides.items() if value is not None})
        return cls(**values)


def model_env() -> dict[str, str]:
    """The model settings the environment gives, by `ModelConfig` field: the one reader of these variables."""
    variables = {"backend": BACKEND_ENV, "model": MODEL_ENV, "adapter": ADAPTER_ENV, "base_url": BASE_URL_ENV}
    return {field: os.environ[name] for field, name in variables.items() if os.environ.get(name)}


@dataclass(frozen=True)
class GenerationConfig:
    """Sampling settings. `temperature=0` is greedy decoding (the Gene-R1 protocol)."""

    max_new_tokens: int = 384
    temperature: float = 0.0
    top_p: float = 1.0
    seed: int = 0
    stop: tuple[str, ...] = ()  # generation ends before the first of these strings
    # The answer's expected shape (a trained template): greedy decoding drafts from it and keeps only the tokens the
    # model would have written itself, so the answer is unchanged and fewer forward passes run. Backends that cannot
    # check drafts ignore it.
    expected_shape: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.stop, str):
            raise ModelError("stop takes a sequence of strings, e.g. stop=('</answer>',).")
        object.__setattr__(self, "stop", tuple(self.stop))
        if self.max_new_tokens < 1:
            raise ModelError(f"max_new_tokens must be at least 1, got {self.max_new_tokens}.")
        if self.temperature < 0 or not 0 < self.top_p <= 1:
            raise ModelError("temperature must be >= 0 and top_p in (0, 1].")

    @property
    def greedy(self) -> bool:
        return self.temperature == 0


@dataclass(frozen=True)
class Generation:
    """One answer: its text (the completion only), token counts, and the wall time of the call that produced it.

    In a batch every item reports the batch's wall time.
    """

    text: str
    prompt_tokens: int
    completion_tokens: int
    seconds: float


@runtime_checkable
class ModelBackend(Protocol):
    def generate(self, messages: Sequence[Message], config: GenerationConfig | None = None) -> Generation: ...

    def generate_batch(
        self, batch: Sequence[Sequence[Message]], config: GenerationConfig | None = None
    ) -> list[Generation]: ...

    def info(self) -> dict[str, Any]: ...


class BatchedBackend:
    """A backend whose one generation is a batch of one (the in-process engines batch natively)."""

    def generate(self, messages: Sequence[Message], config: GenerationConfig | None = None) -> Generation:
        return self.generate_batch([messages], config)[0]

    def generate_batch(
        self, batch: Sequence[Sequence[Message]], config: GenerationConfig | None = None
    ) -> list[Generation]:
        raise NotImplementedError


def default_adapter_dir() -> Path | None:
    """The shipped Gene-R1 LoRA adapter for the embedded model, if training has shipped one; else None."""
    return DEFAULT_ADAPTER_DIR if (DEFAULT_ADAPTER_DIR / "adapter_config.json").is_file() else None


def resolve_adapter(config: ModelConfig) -> str | None:
    """The adapter this config runs with (see `ModelConfig`); None for none."""
    if config.adapter is not None:
        return None if config.adapter.strip().lower() == NO_ADAPTER else config.adapter
    if config.model is None and config.backend != "openai":
        default = default_adapter_dir()
        return str(default) if default else None
    return None


def check_messages(messages: Sequence[Message]) -> list[Message]:
    """The messages as a list of role/content dicts; a clear error for anything else."""
    if isinstance(messages, str | bytes) or not messages:
        raise ModelError("Pass the prompt as a non-empty list of {'role': ..., 'content': ...} messages.")
    checked = []
    for message in messages:
        if not isinstance(message, dict) or not isinstance(message.get("content"), str):
            raise ModelError(f"Not a chat message: {message!r:.200}")
        if message.get("role") not in ("system", "user", "assistant"):
            raise ModelError(f"Unknown message role {message.get('role')!r}: use system, user or assistant.")
        checked.append({"role": message["role"], "content": message["content"]})
    return checked


def chunked(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[start : start + size] for start in range(0, len(items), size)]
