"""GPU check of the training recipes: the Llama-3.2 GPU recipes' settings (bf16, no use_cpu, gradient
checkpointing, LoRA all-linear) run for a few steps of SFT and then GRPO on the tiny test model, on CUDA.

It checks the GPU code path of `training/sft.py` and `training/grpo.py`, not model quality: the lent GPU machine has
no internet (no Llama weights) and the real SmolLM2 cannot be carried there (over the 64 MiB transfer limit).

    # here: the tiny model (benchmarks/gpu_check.py prepare build/gpu_check) and a slice of the training data
    head -n 64 $GENE_R1_HOME/training/data/train.jsonl > build/gpu_data/train.jsonl
    # there (torch, transformers, peft; trl + datasets carried as wheels):
    python3 benchmarks/gpu_train_check.py build/gpu_check/tiny build/gpu_data --out $OUT/gpu_train.json
GRPO uses the format and ROUGE-L rewards only: the MiniLM encoder behind the similarity rewards is not on that machine.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gene_r1.training.recipes import load_recipe  # noqa: E402


def gpu_recipe(name: str, model: Path, steps: int, cuda: bool, **grpo):
    recipe = load_recipe(name)
    training = dataclasses.replace(
        recipe.training,
        max_steps=steps,
        per_device_train_batch_size=8,
        save_steps=steps,
        logging_steps=1,
        max_length=1024,
        **({} if cuda else {"use_cpu": True, "bf16": False, "gradient_checkpointing": False}),
    )
    updates = {"model": str(model), "training": training}
    if grpo:
        updates["grpo"] = dataclasses.replace(recipe.grpo, **grpo)
    return dataclasses.replace(recipe, **updates)


def main() -> None:
    import torch

    from gene_r1.training.grpo import run_grpo
    from gene_r1.training.sft import run_sft

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("model", type=Path)
    parser.add_argument("data", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--cpu", action="store_true", help="dry-run the logic on a CPU (float32)")
    args = parser.parse_args()
    cuda = torch.cuda.is_available() and not args.cpu
    report: dict = {"cuda": cuda, "device": torch.cuda.get_device_name(0) if cuda else "cpu"}
    work = Path(tempfile.mkdtemp())
    started = time.perf_counter()
    sft = gpu_recipe("llama-3.2-1b/sft", args.model, args.steps, cuda)
    adapter = run_sft(sft, args.data, work / "sft", resume=False)
    report["sft"] = {
        "seconds": round(time.perf_counter() - started, 1),
        "adapter": sorted(p.name for p in adapter.iterdir()),
        "facts": json.loads((adapter / "training_facts.json").read_text()),
    }
    started = time.perf_counter()
    grpo = gpu_recipe(
        "llama-3.2-1b/grpo",
        args.model,
        max(args.steps // 4, 2),
        cuda,
        rewards=["think", "process", "rouge_l"],
        reward_weights=None,
        num_generations=4,
        max_completion_length=64,
    )
    grpo = dataclasses.replace(grpo, adapter=str(adapter))
    final = run_grpo(grpo, args.data, work / "grpo", resume=False)
    report["grpo"] = {
        "seconds": round(time.perf_counter() - started, 1),
        "adapter": sorted(p.name for p in final.iterdir()),
    }
    args.out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
