"""Supervised fine-tuning: TRL `SFTTrainer` + a peft LoRA on the evidence-conditioned reasoning data."""

from __future__ import annotations

from pathlib import Path

from gene_r1.training.common import data_summary, load_rows, run_trainer, sft_dataset, trainer_kwargs
from gene_r1.training.recipes import Recipe


def run_sft(recipe: Recipe, data_dir: Path, output_dir: Path, *, resume: bool = True) -> Path:
    """Train, checkpoint every `save_steps`, resume from the latest checkpoint; returns the final adapter dir."""
    from trl import SFTConfig, SFTTrainer

    train = load_rows(data_dir, "train", recipe.training.stages)
    config = SFTConfig(**trainer_kwargs(recipe, output_dir), max_length=recipe.training.max_length,
                       completion_only_loss=True, packing=False)
    facts = {"stage": "SFT (TRL SFTTrainer, completion-only loss)", "data": data_summary(data_dir),
             "training examples available": len(train)}
    # SFT always starts a fresh LoRA: a recipe's adapter is what DPO and GRPO continue.
    return run_trainer(SFTTrainer, recipe, output_dir, config=config, dataset=sft_dataset(train), facts=facts,
                       resume=resume, seen=("examples seen", len(train)), continue_adapter=False)
