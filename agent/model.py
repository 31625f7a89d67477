"""The model runtime's one small interface: generate text from chat messages, single or batched, on any backend.

Backends (`agent/backends/`): `transformers` (the CPU default, also GPU), `vllm` (GPU serving, optional extra) and
`openai` (any OpenAI-compatible endpoint). Each is imported only when asked for, so importing this module is cheap.

The types, errors and configuration live in `agent.model_types` (which the backends import) and are re-exported
here. Environment variables, read in one place (`agent.model_types.model_env`): `GENE_R1_BACKEND`,
`GENE_R1_MODEL`, `GENE_R1_ADAPTER` (`none` = no adapter), `GENE_R1_BASE_URL`.
"""

from __future__ import annotations

import functools

from gene_r1.agent.model_types import (
    ADAPTER_ENV,
    BACKEND_ENV,
    BACKENDS,
    BASE_URL_ENV,
    DEFAULT_ADAPTER_DIR,
    EMBEDDED_MODEL_NAME,
    MODEL_ENV,
    NO_ADAPTER,
    PROMPT_STYLES,
    Backend,
    BackendUnavailableError,
    Generation,
    GenerationConfig,
    Message,
    ModelBackend,
    ModelConfig,
    ModelError,
    ModelNotFoundError,
    PromptStyle,
    PromptTooLongError,
    check_messages,
    chunked,
    default_adapter_dir,
    model_env,
    resolve_adapter,
)

__all__ = [
    "ADAPTER_ENV",
    "BACKENDS",
    "BACKEND_ENV",
    "BASE_URL_ENV",
    "Backend",
    "BackendUnavailableError",
    "DEFAULT_ADAPTER_DIR",
    "EMBEDDED_MODEL_NAME",
    "Generation",
    "GenerationConfig",
    "MODEL_ENV",
    "Message",
    "ModelBackend",
    "ModelConfig",
    "ModelError",
    "ModelNotFoundError",
    "NO_ADAPTER",
    "PROMPT_STYLES",
    "PromptStyle",
    "PromptTooLongError",
    "check_messages",
    "chunked",
    "default_adapter_dir",
    "model_env",
    "resolve_adapter",
    "load_model",
]


def load_model(config: ModelConfig | None = None) -> ModelBackend:
    """A ready backend for `config` (default: `ModelConfig.from_env()`).

    Cached per config, data home (`config.home`, else `$GENE_R1_HOME`: where the embedded model's copy lives) and
    resolved adapter.
    """
    from gene_r1.knowledge_base.paths import data_home

    config = config or ModelConfig.from_env()
    return _load_model(config, str(config.home or data_home()), resolve_adapter(config))


@functools.lru_cache(maxsize=4)
def _load_model(config: ModelConfig, _home: str, _adapter: str | None) -> ModelBackend:
    if config.backend == "transformers":
        from gene_r1.agent.backends.transformers_backend import TransformersBackend

        return TransformersBackend.load(config)
    if config.backend == "vllm":
        from gene_r1.agent.backends.vllm_backend import VllmBackend

        return VllmBackend.load(config)
    from gene_r1.agent.backends.openai_backend import OpenAIBackend

    return OpenAIBackend.from_config(config)
