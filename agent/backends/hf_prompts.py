"""What the two in-process backends (transformers, vllm) share: the prompt text a Hugging Face tokenizer renders from
the messages, and the LoRA adapter folder they load."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gene_r1.agent.model_types import Message, ModelError, ModelNotFoundError, check_messages
from gene_r1.agent.prompts import render_reference


def prompt_text(tokenizer: Any, messages: Sequence[Message], *, prompt_style: str, model_name: str) -> str:
    """The prompt for these messages: the tokenizer's chat template, or the authors' raw text (`prompt_style`)."""
    messages = check_messages(messages)
    if prompt_style == "reference":
        return render_reference(messages)
    if not getattr(tokenizer, "chat_template", None):
        raise ModelError(
            f"{model_name} has no chat template: use --prompt-style reference (the raw #SYSTEM/#USER/#Assistant "
            "text) for base models."
        )
    return tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)


def adapter_config_file(adapter: str) -> Path:
    """The adapter's `adapter_config.json`; a clear error when `adapter` is no LoRA adapter folder."""
    path = Path(adapter).expanduser() / "adapter_config.json"
    if not path.is_file():
        raise ModelNotFoundError(f"No LoRA adapter at {adapter}: expected a directory with adapter_config.json.")
    return path
