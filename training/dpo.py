"""DPO: TRL `DPOTrainer` on preference pairs (better vs worse candidate; supported vs unsupported name), continuing
the recipe's SFT adapter (or a fresh LoRA). With a peft model and no explicit reference, TRL scores the reference
with the adapter disabled."""

from __future__ import annotations

import json
import time
from pathlib import Path

from training.common import (
    dpo_dataset,
    latest_checkpoint,
    load_rows,
    load_tokenizer,
    resolve_model_path,
    time_budget_callback,
    trainer_kwargs,
    write_model_card,
)
from training.grpo import _model_with_adapter
from training.recipes import Recipe


def run_dpo(recipe: Recipe, data_dir: Path, output_dir: Path, *, resume: bool = True) -> Path:
    from trl import DPOConfig, DPOTrainer

    model_path = resolve_model_path(recipe.model)
    tokenizer = load_tokenizer(model_path)
    rows = [r for r in load_rows(data_dir, "train", recipe.training.stages) if r.get("chosen") and r.get("rejected")]
    config = DPOConfig(**trainer_kwargs(recipe, output_dir), beta=recipe.dpo.beta, loss_type=recipe.dpo.loss_type,
                       max_length=recipe.training.max_length)
    model, peft_config = _model_with_adapter(recipe, model_path)
    trainer = DPOTrainer(model=model, args=config, train_dataset=dpo_dataset(rows), processing_class=tokenizer,
                         callbacks=[time_budget_callback(recipe.training.max_minutes)], peft_config=peft_config)
    checkpoint = latest_checkpoint(output_dir) if resume else None
    started = time.perf_counter()
    result = trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
    final = output_dir / "final"
    trainer.save_model(str(final))
    steps = trainer.state.global_step
    seen = steps * recipe.training.per_device_train_batch_size * recipe.training.gradient_accumulation_steps
    facts = {"stage": f"DPO (TRL DPOTrainer, beta {recipe.dpo.beta}, {recipe.dpo.loss_type})", "data": str(data_dir),
             "start adapter": recipe.adapter or "fresh LoRA", "preference pairs available": len(rows),
             "pairs seen": min(seen, len(rows)) if seen else 0, "steps": steps,
             "train loss (mean)": round(result.training_loss, 4),
             "wall time this run (s)": round(time.perf_counter() - started, 1),
             "resumed from": str(checkpoint) if checkpoint else "none"}
    (final / "training_facts.json").write_text(json.dumps(facts, indent=2) + "\n", encoding="utf-8")
    write_model_card(final, recipe, facts)
    return final
