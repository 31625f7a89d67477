"""DPO: TRL `DPOTrainer` on preference pairs (better vs worse candidate; supported vs unsupported name), continuing
the recipe's SFT adapter (or a fresh LoRA). With a peft model and no explicit reference, TRL scores the reference
with the adapter disabled."""

from __future__ import annotations

from pathlib import Path

from gene_r1.training.common import dpo_dataset, load_rows, run_trainer, trainer_kwargs
from gene_r1.training.recipes import Recipe


def run_dpo(recipe: Recipe, data_dir: Path, output_dir: Path, *, resume: bool = True) -> Path:
    from trl import DPOConfig, DPOTrainer

    rows = [r for r in load_rows(data_dir, "train", recipe.training.stages) if r.get("chosen") and r.get("rejected")]
    config = DPOConfig(**trainer_kwargs(recipe, output_dir), beta=recipe.dpo.beta, loss_type=recipe.dpo.loss_type,
                       max_length=recipe.training.max_length)
    facts = {"stage": f"DPO (TRL DPOTrainer, beta {recipe.dpo.beta}, {recipe.dpo.loss_type})", "data": str(data_dir),
             "start adapter": recipe.adapter or "fresh LoRA", "preference pairs available": len(rows)}
    return run_trainer(DPOTrainer, recipe, output_dir, config=config, dataset=dpo_dataset(rows), facts=facts,
                       resume=resume, seen=("pairs seen", len(rows)))
