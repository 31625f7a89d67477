"""Naming generation speed on naming dev prompts: plain greedy `generate` against greedy decoding that drafts the
answer's shape (`agent.naming.ANSWER_SHAPE`), one name alone and in batches; and whether the names are the same.

Usage: HF_HUB_OFFLINE=1 python benchmarks/naming_speed.py --data DIR [--limit 48] [--batch 8] [--dtype float32]
DIR holds `dev.jsonl` from `gene-r1 train naming-data`. Prompts from the 201st on (the learning curve reads the first
200). Timing only: nothing is tuned on these prompts.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

FIRST = 200


def main() -> None:
    from gene_r1.agent.model import GenerationConfig, ModelConfig, load_model
    from gene_r1.agent.naming import ANSWER_SHAPE, NAMING_ADAPTER_DIR, NAMING_TOKENS

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=48)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--adapter", default=str(NAMING_ADAPTER_DIR))
    args = parser.parse_args()

    lines = (args.data / "dev.jsonl").read_text(encoding="utf-8").splitlines()[FIRST:FIRST + args.limit]
    prompts = [json.loads(line)["prompt"] for line in lines]
    model = load_model(ModelConfig(adapter=args.adapter, merge_adapter=True, dtype=args.dtype))
    plain = GenerationConfig(max_new_tokens=NAMING_TOKENS)
    shaped = GenerationConfig(max_new_tokens=NAMING_TOKENS, expected_shape=ANSWER_SHAPE)
    model.generate(prompts[0], plain)  # warm-up

    def timed(config: GenerationConfig, size: int) -> tuple[list[str], float]:
        started = time.perf_counter()
        texts = [g.text for i in range(0, len(prompts), size)
                 for g in model.generate_batch(prompts[i:i + size], config)]
        return texts, (time.perf_counter() - started) / len(prompts)

    rows = {}
    for label, size in (("alone", 1), (f"batch of {args.batch}", args.batch)):
        reference, plain_seconds = timed(plain, size)
        texts, shaped_seconds = timed(shaped, size)
        rows[label] = {"generate_s": round(plain_seconds, 3), "drafted_s": round(shaped_seconds, 3),
                       "same_names": sum(a == b for a, b in zip(reference, texts, strict=True))}
    print(json.dumps({"prompts": len(prompts), "dtype": args.dtype, **rows}, indent=2))


if __name__ == "__main__":
    main()
