"""GRPO: TRL `GRPOTrainer` with the recipe's pure rewards, on a LoRA adapter (from SFT, or fresh)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from training.common import (
    grpo_dataset,
    latest_checkpoint,
    load_base_model,
    load_rows,
    load_tokenizer,
    lora_config,
    resolve_model_path,
    time_budget_callback,
    trainer_kwargs,
    write_model_card,
)
from training.recipes import Recipe
from training.rewards import get_rewards


def _model_with_adapter(recipe: Recipe, model_path: str):
    """The base model, with the recipe's SFT adapter loaded trainable when it names one."""
    model = load_base_model(model_path, recipe)
    if not recipe.adapter:
        return model, lora_config(recipe, model.config.num_hidden_layers)
    from peft import PeftModel

    return PeftModel.from_pretrained(model, recipe.adapter, is_trainable=True), None


def run_grpo(recipe: Recipe, data_dir: Path, output_dir: Path, *, resume: bool = True) -> Path:
    from trl import GRPOConfig, GRPOTrainer

    model_path = resolve_model_path(recipe.model)
    tokenizer = load_tokenizer(model_path)
    rows = load_rows(data_dir, "train", recipe.training.stages)
    g = recipe.grpo
    config = GRPOConfig(**trainer_kwargs(recipe, output_dir), num_generations=g.num_generations,
                        max_completion_length=g.max_completion_length, temperature=g.temperature, beta=g.beta,
                        reward_weights=g.reward_weights, use_vllm=False)
    model, peft_config = _model_with_adapter(recipe, model_path)
    trainer = GRPOTrainer(model=model, reward_funcs=get_rewards(g.rewards), args=config,
                          train_dataset=grpo_dataset(rows), processing_class=tokenizer,
                          callbacks=[time_budget_callback(recipe.training.max_minutes)], peft_config=peft_config)
    checkpoint = latest_checkpoint(output_dir) if resume else None
    started = time.perf_counter()
    result = trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
    final = output_dir / "final"
    trainer.save_model(str(final))
    facts = {"stage": f"GRPO (TRL GRPOTrainer; rewards {', '.join(g.rewards)})", "data": str(data_dir),
             "start adapter": recipe.adapter or "fresh LoRA", "steps": trainer.state.global_step,
             "train loss (mean)": round(result.training_loss, 4),
             "wall time this run (s)": round(time.perf_counter() - started, 1),
             "resumed from": str(checkpoint) if checkpoint else "none"}
    (final / "training_facts.json").write_text(json.dumps(facts, indent=2) + "\n", encoding="utf-8")
    write_model_card(final, recipe, facts)
    return final
