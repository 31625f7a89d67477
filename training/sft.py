"""Supervised fine-tuning: TRL `SFTTrainer` + a peft LoRA on the evidence-conditioned reasoning data."""

from __future__ import annotations

import json
import time
from pathlib import Path

from training.common import (
    data_summary,
    latest_checkpoint,
    load_base_model,
    load_rows,
    load_tokenizer,
    lora_config,
    resolve_model_path,
    sft_dataset,
    time_budget_callback,
    trainer_kwargs,
    write_model_card,
)
from training.recipes import Recipe


def run_sft(recipe: Recipe, data_dir: Path, output_dir: Path, *, resume: bool = True) -> Path:
    """Train, checkpoint every `save_steps`, resume from the latest checkpoint; returns the final adapter dir."""
    from trl import SFTConfig, SFTTrainer

    model_path = resolve_model_path(recipe.model)
    tokenizer = load_tokenizer(model_path)
    stages = recipe.training.stages
    train = load_rows(data_dir, "train", stages)
    config = SFTConfig(**trainer_kwargs(recipe, output_dir), max_length=recipe.training.max_length,
                       completion_only_loss=True, packing=False)
    model = load_base_model(model_path, recipe)
    trainer = SFTTrainer(model=model, args=config, train_dataset=sft_dataset(train), processing_class=tokenizer,
                         callbacks=[time_budget_callback(recipe.training.max_minutes)],
                         peft_config=lora_config(recipe, model.config.num_hidden_layers))
    checkpoint = latest_checkpoint(output_dir) if resume else None
    started = time.perf_counter()
    result = trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
    final = output_dir / "final"
    trainer.save_model(str(final))
    steps = trainer.state.global_step
    seen = steps * recipe.training.per_device_train_batch_size * recipe.training.gradient_accumulation_steps
    facts = {"stage": "SFT (TRL SFTTrainer, completion-only loss)", "data": data_summary(data_dir),
             "training examples available": len(train), "examples seen": min(seen, len(train)) if seen else 0,
             "steps": steps, "train loss (mean)": round(result.training_loss, 4),
             "wall time this run (s)": round(time.perf_counter() - started, 1),
             "resumed from": str(checkpoint) if checkpoint else "none"}
    (final / "training_facts.json").write_text(json.dumps(facts, indent=2) + "\n", encoding="utf-8")
    write_model_card(final, recipe, facts)
    return final
