"""The transformers backend: the CPU default, also GPU.

Loads a local Hugging Face directory, a Hub id (when online), or a GGUF file (dequantised), plus an optional peft
LoRA adapter, merged or not. Batches are left-padded; greedy decoding when `temperature == 0`.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gene_r1.agent.backends.hf_prompts import adapter_config_file, prompt_text
from gene_r1.agent.model_types import (
    EMBEDDED_MODEL_NAME,
    BatchedBackend,
    Generation,
    GenerationConfig,
    Message,
    ModelConfig,
    ModelError,
    ModelNotFoundError,
    PromptTooLongError,
    chunked,
    resolve_adapter,
)

_DTYPES = ("float32", "bfloat16", "float16", "auto")


@dataclass(frozen=True)
class ModelSource:
    """Where the weights come from: a local directory or Hub id, and the GGUF file in it, if any."""

    location: str
    gguf_file: str | None
    display: str


def resolve_source(config: ModelConfig) -> ModelSource:
    """The weights `config.model` names: None = the embedded SmolLM2 (its copy in `config.home`); a directory; a
    .gguf file; or a Hub id."""
    if config.model is None:
        from gene_r1.agent.embedded import embedded_model_dir

        return ModelSource(str(embedded_model_dir(config.home)), None, EMBEDDED_MODEL_NAME)
    path = Path(config.model).expanduser()
    if path.is_file():
        if path.suffix.lower() != ".gguf":
            raise ModelNotFoundError(f"{path} is a file but not a .gguf model: pass a model directory or a .gguf file.")
        return ModelSource(str(path.parent), path.name, str(path))
    if path.is_dir():
        gguf = config.gguf_file
        if gguf is None and not (path / "config.json").is_file():
            candidates = sorted(p.name for p in path.glob("*.gguf"))
            if len(candidates) != 1:
                raise ModelNotFoundError(
                    f"{path} holds no config.json and {len(candidates)} .gguf files: pass a Hugging Face model "
                    "directory, or name the GGUF file with --gguf-file."
                )
            gguf = candidates[0]
        return ModelSource(str(path), gguf, str(path))
    if config.model.startswith((".", "/", "~")) or config.model.lower().endswith(".gguf"):
        raise ModelNotFoundError(f"No model at {config.model}: check the path.")
    return ModelSource(config.model, config.gguf_file, config.model)  # a Hub id such as ncbi/Gene-R1-1B


def resolve_device(device: str) -> str:
    import torch

    if device != "auto":
        if device.startswith("cuda") and not torch.cuda.is_available():
            raise ModelError(f"Device {device!r} asked for, but torch sees no CUDA GPU: use --device cpu.")
        return device
    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def resolve_dtype(dtype: str | None, device: str) -> Any:
    """A torch dtype (or "auto"): float32 on CPU by default (fastest there), bfloat16 on GPUs that support it."""
    import torch

    if dtype is None:
        if device.startswith("cuda"):
            return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return torch.float32
    if dtype not in _DTYPES:
        raise ModelError(f"Unknown dtype {dtype!r}: choose one of {', '.join(_DTYPES)}.")
    return "auto" if dtype == "auto" else getattr(torch, dtype)


class TransformersBackend(BatchedBackend):
    """A loaded model and tokenizer; implements `agent.model.ModelBackend`."""

    def __init__(self, model: Any, tokenizer: Any, config: ModelConfig, *, source: ModelSource, adapter: str | None):
        self.model = model
        self.tokenizer = tokenizer
        self.config = config
        self.source = source
        self.adapter = adapter
        self.device = str(next(model.parameters()).device)
        self.context_length = _context_length(model.config)
        self.eos_ids = _eos_ids(model.generation_config, tokenizer)

    @classmethod
    def load(cls, config: ModelConfig) -> TransformersBackend:
        import torch

        if config.threads:
            torch.set_num_threads(config.threads)
        device = resolve_device(config.device)
        dtype = resolve_dtype(config.dtype, device)
        source = resolve_source(config)
        model, tokenizer = _load_weights(source, dtype, device)
        adapter = resolve_adapter(config)
        if adapter:
            model = _attach_adapter(model, adapter, merge=config.merge_adapter)
        model.eval()
        return cls(model, tokenizer, config, source=source, adapter=adapter)

    def render(self, messages: Sequence[Message]) -> str:
        """The prompt text for these messages: the chat template, or the authors' raw text (prompt_style)."""
        return prompt_text(self.tokenizer, messages, prompt_style=self.config.prompt_style,
                           model_name=self.source.display)

    def generate_batch(
        self, batch: Sequence[Sequence[Message]], config: GenerationConfig | None = None
    ) -> list[Generation]:
        config = config or GenerationConfig()
        texts = [self.render(messages) for messages in batch]
        results: list[Generation] = []
        for chunk in chunked(texts, self.config.max_batch_size):
            results.extend(self._generate_texts(list(chunk), config))
        return results

    def choice_logprobs(
        self, batch: Sequence[Sequence[Message]], prefix: str, options: Sequence[str]
    ) -> list[list[float]]:
        """For each conversation, the log-probability of each option as the continuation of the assistant's
        `prefix`: one forward pass per chunk, no generation (the judge's cheap choice)."""
        import torch

        shared, option_ids = self._option_tokens(prefix, options)
        texts = [self.render(messages) + shared for messages in batch]
        add_special = self.config.prompt_style == "reference"
        results: list[list[float]] = []
        for chunk in chunked(texts, self.config.max_batch_size):
            encoded = self.tokenizer(list(chunk), return_tensors="pt", padding=True, add_special_tokens=add_special)
            longest = int(encoded["attention_mask"].sum(dim=1).max())
            if self.context_length and longest >= self.context_length:
                raise PromptTooLongError(
                    f"The judge prompt is {longest} tokens, but {self.source.display} reads at most "
                    f"{self.context_length}: show fewer candidates or genes."
                )
            encoded = encoded.to(self.device)
            # Left padding: positions count real tokens only, as generate() does, so a padded row scores as alone.
            positions = (encoded["attention_mask"].cumsum(dim=1) - 1).clamp(min=0)
            with torch.inference_mode():
                logits = self.model(**encoded, position_ids=positions, logits_to_keep=1).logits[:, -1, :].float()
            logprobs = torch.log_softmax(logits, dim=-1)[:, option_ids]
            results.extend(logprobs.cpu().tolist())
        return results

    def _option_tokens(self, prefix: str, options: Sequence[str]) -> tuple[str, list[int]]:
        """The text every option shares after `prefix` and each option's own token (`agent.backends.choice`)."""
        from gene_r1.agent.backends.choice import option_tokens

        return option_tokens(lambda text: self.tokenizer(text, add_special_tokens=False)["input_ids"],
                             self.tokenizer.decode, prefix, options)

    def _generate_texts(self, texts: list[str], config: GenerationConfig) -> list[Generation]:
        import torch

        started = time.perf_counter()
        # The chat template writes its own special tokens; the authors' raw text is tokenized as they did.
        add_special = self.config.prompt_style == "reference"
        encoded = self.tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=add_special)
        prompt_lengths = encoded["attention_mask"].sum(dim=1).tolist()
        padded_length = encoded["input_ids"].shape[1]
        longest = max(prompt_lengths)
        if self.context_length and longest >= self.context_length:
            raise PromptTooLongError(
                f"The prompt is {longest} tokens, but {self.source.display} reads at most {self.context_length}: "
                "pass fewer genes or less evidence."
            )
        max_new = config.max_new_tokens
        if self.context_length:
            max_new = min(max_new, self.context_length - padded_length)
        encoded = encoded.to(self.device)
        torch.manual_seed(config.seed)
        if config.expected_shape and config.greedy and not config.stop:
            completions = self._drafted_completions(encoded, config.expected_shape, max_new)
        else:
            with torch.inference_mode():
                output = self.model.generate(
                    **encoded,
                    generation_config=self._generation_config(config, max_new),
                    tokenizer=self.tokenizer if config.stop else None,
                )
            completions = output[:, padded_length:].tolist()
        seconds = time.perf_counter() - started
        generations = []
        for row, prompt_tokens in zip(completions, prompt_lengths, strict=True):
            completion = _until_eos(row, self.eos_ids)
            text = _cut_at_stop(self.tokenizer.decode(completion, skip_special_tokens=True), config.stop)
            generations.append(Generation(text, int(prompt_tokens), len(completion), seconds))
        return generations

    def _drafted_completions(self, encoded: Any, shape: str, max_new: int) -> list[list[int]]:
        """Greedy completions checked against drafts from the answer's expected shape (`agent.backends.
        draft_decoding`): the same tokens as `generate`, in fewer forward passes."""
        from gene_r1.agent.backends.draft_decoding import greedy_with_draft

        reference = self.tokenizer(shape, add_special_tokens=False)["input_ids"]
        drafted = greedy_with_draft(self.model, encoded["input_ids"], encoded["attention_mask"], reference, max_new,
                                    self.eos_ids)
        return [generation.tokens for generation in drafted]

    def _generation_config(self, config: GenerationConfig, max_new: int) -> Any:
        generation = copy.deepcopy(self.model.generation_config)
        generation.max_new_tokens = max_new
        generation.max_length = None
        generation.eos_token_id = sorted(self.eos_ids) or None
        generation.pad_token_id = self.tokenizer.pad_token_id
        generation.stop_strings = list(config.stop) or None
        generation.do_sample = not config.greedy
        generation.temperature = None if config.greedy else config.temperature
        generation.top_p = None if config.greedy else config.top_p
        generation.top_k = None
        return generation

    def info(self) -> dict[str, Any]:
        import torch

        return {
            "backend": "transformers",
            "model": self.source.display,
            "location": self.source.location,
            "gguf_file": self.source.gguf_file,
            "adapter": self.adapter,
            "adapter_merged": bool(self.adapter and self.config.merge_adapter),
            "device": self.device,
            "dtype": str(next(self.model.parameters()).dtype).removeprefix("torch."),
            "threads": torch.get_num_threads(),
            "prompt_style": self.config.prompt_style,
            "context_length": self.context_length,
            "parameters": sum(p.numel() for p in self.model.parameters()),
        }


def _load_weights(source: ModelSource, dtype: Any, device: str) -> tuple[Any, Any]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from gene_r1.agent.embedded import quiet_transformers

    extra: dict[str, Any] = {}
    if source.gguf_file:
        from transformers import GgufConfig

        # Dequantised weights are plain modules: LoRA attaches to them, and they can be saved.
        extra = {"gguf_file": source.gguf_file, "quantization_config": GgufConfig(dequantize=True)}
    if device != "cpu":
        extra["device_map"] = device
    try:
        with quiet_transformers():
            tokenizer = AutoTokenizer.from_pretrained(
                source.location, padding_side="left", **({"gguf_file": source.gguf_file} if source.gguf_file else {})
            )
            model = AutoModelForCausalLM.from_pretrained(source.location, dtype=dtype, **extra)
    except OSError as error:  # missing files, or a Hub id that is not cached while offline
        raise ModelNotFoundError(
            f"Could not load the model {source.display!r}: {str(error).rstrip('.')}. Pass a local model directory "
            "or .gguf file, "
            "or download the model first while online (e.g. `hf download ncbi/Gene-R1-1B`)."
        ) from error
    tokenizer.padding_side = "left"
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return model, tokenizer


def _attach_adapter(model: Any, adapter: str, *, merge: bool) -> Any:
    from peft import PeftModel

    model = PeftModel.from_pretrained(model, str(adapter_config_file(adapter).parent))
    return model.merge_and_unload() if merge else model


def _context_length(model_config: Any) -> int | None:
    for name in ("max_position_embeddings", "n_positions", "max_sequence_length"):
        value = getattr(model_config, name, None)
        if isinstance(value, int) and value > 0:
            return value
    return None


def _eos_ids(generation_config: Any, tokenizer: Any) -> set[int]:
    ids = generation_config.eos_token_id
    ids = set(ids) if isinstance(ids, list | tuple) else ({ids} if ids is not None else set())
    if tokenizer.eos_token_id is not None:
        ids.add(tokenizer.eos_token_id)
    return ids


def _until_eos(tokens: list[int], eos_ids: set[int]) -> list[int]:
    """The generated tokens up to and including the first end-of-sequence token (later ones are padding)."""
    for index, token in enumerate(tokens):
        if token in eos_ids:
            return tokens[: index + 1]
    return tokens


def _cut_at_stop(text: str, stop: Sequence[str]) -> str:
    cuts = [text.find(s) for s in stop if s and s in text]
    return text[: min(cuts)] if cuts else text
