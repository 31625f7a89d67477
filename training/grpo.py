"""GRPO: TRL `GRPOTrainer` with the recipe's pure rewards, on a LoRA adapter (from SFT, or fresh)."""

from __future__ import annotations

from pathlib import Path

from gene_r1.training.common import grpo_dataset, load_rows, run_trainer, trainer_kwargs
from gene_r1.training.recipes import Recipe
from gene_r1.training.rewards import get_rewards


def run_grpo(recipe: Recipe, data_dir: Path, output_dir: Path, *, resume: bool = True) -> Path:
    from trl import GRPOConfig, GRPOTrainer

    rows = load_rows(data_dir, "train", recipe.training.stages)
    g = recipe.grpo
    config = GRPOConfig(**trainer_kwargs(recipe, output_dir), num_generations=g.num_generations,
                        max_completion_length=g.max_completion_length, temperature=g.temperature, beta=g.beta,
                        reward_weights=g.reward_weights, use_vllm=False)
    facts = {"stage": f"GRPO (TRL GRPOTrainer; rewards {', '.join(g.rewards)})", "data": str(data_dir),
             "start adapter": recipe.adapter or "fresh LoRA"}
    return run_trainer(GRPOTrainer, recipe, output_dir, config=config, dataset=grpo_dataset(rows), facts=facts,
                       resume=resume, reward_funcs=get_rewards(g.rewards))
