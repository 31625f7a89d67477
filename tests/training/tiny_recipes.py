"""The recipe the training tests run on the tiny model: a small LoRA, two steps, a checkpoint every step."""

from __future__ import annotations

from gene_r1.training.recipes import Recipe, recipe_from_dict

TINY_REWARDS = ("think", "process", "format", "rouge_l", "verification")


def tiny_recipe(model_dir, stage: str, *, name: str = "tiny", rewards=TINY_REWARDS, max_completion_length: int = 8,
                **training) -> Recipe:
    """`training` overrides the training section (e.g. `max_steps`, `stages`, `max_length`)."""
    return recipe_from_dict({
        "name": name, "stage": stage, "model": str(model_dir),
        "lora": {"r": 4, "alpha": 8, "dropout": 0.0, "target_modules": "all-linear"},
        "training": {"max_steps": 2, "per_device_train_batch_size": 2, "save_steps": 1, "max_length": 1664,
                     "learning_rate": 1e-3, "stages": ["reasoning", "task", "knowledge"], **training},
        "grpo": {"num_generations": 2, "max_completion_length": max_completion_length, "rewards": list(rewards)},
    })
