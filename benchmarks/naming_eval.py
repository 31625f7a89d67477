"""Does the model name gene sets better than the ranker picks them? The naming step measured on its dev split.

For N dev examples of `gene-r1 train naming-data` (their terms are in no training split, no benchmark and no reserved
id), the model (an adapter or a checkpoint of `gene-r1 train naming-sft`) writes the name by batched greedy decoding
from the naming prompt; its `Process:` line is read with the agent's parser. Printed (JSON): the mean MiniLM cosine
to the true name of the model's name (an unreadable answer scores 0), of the ranker's pick (candidate [1]) and of the
better of the two per set (a ceiling for a rule that chooses between them); the paired difference model - ranker
with its 95% bootstrap interval; the share of answers with a readable `Process:` line and the share cut off by the
token limit; seconds per set.

Usage: python benchmarks/naming_eval.py --data DIR --adapter PATH|none [--limit 200] [--batch 8]
       [--max-new-tokens N] [--model PATH] [--show 5] [--rows rows.jsonl]
`--rows` writes one line per set (true, ranker and model names, their cosines to the truth, and the model name's
cosine to every candidate): what `training/naming_rule.py` fits its decision rule on.
The default token limit covers the training answers (`<think>` citing candidates, then the name: median 27 tokens,
95th percentile 36, measured with the SmolLM2 tokenizer on the naming data).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


@dataclass(frozen=True)
class NamingScores:
    sets: int
    model: float
    ranker: float
    best_of_two: float
    model_minus_ranker: float
    ci95: tuple[float, float]
    model_better_share: float
    valid_process_share: float


def score_names(model_names: Sequence[str | None], rows: Sequence[dict],
                cosine: Callable[[list[str], list[str]], list[float]], seed: int = 0) -> tuple[NamingScores, list]:
    """Scores of the model's names (None: no readable `Process:` line, scored 0) against the ranker's pick."""
    import numpy as np

    from gene_r1.training.grounded_eval import paired_bootstrap

    truths = [r["target"] for r in rows]
    model = np.array(cosine([n or "" for n in model_names], truths))
    ranker = np.array(cosine([r["candidates"][0]["name"] for r in rows], truths))
    mean_diff, low, high = paired_bootstrap(model, ranker, seed=seed)
    scores = NamingScores(
        sets=len(rows), model=round(float(model.mean()), 4), ranker=round(float(ranker.mean()), 4),
        best_of_two=round(float(np.maximum(model, ranker).mean()), 4), model_minus_ranker=round(mean_diff, 4),
        ci95=(round(low, 4), round(high, 4)), model_better_share=round(float((model > ranker).mean()), 3),
        valid_process_share=round(sum(n is not None for n in model_names) / max(len(rows), 1), 3))
    return scores, [(float(m), float(r)) for m, r in zip(model, ranker, strict=True)]


def generate_names(rows: Sequence[dict], model_config, max_new_tokens: int) -> tuple[list, list]:
    """The model's raw answers and parsed names for each row's naming prompt (batched greedy decoding)."""
    from gene_r1.agent.model import GenerationConfig, load_model
    from gene_r1.agent.parsing import parse_answer

    model = load_model(model_config)
    generations = model.generate_batch([r["prompt"] for r in rows], GenerationConfig(max_new_tokens=max_new_tokens))
    return generations, [parse_answer(g.text).name for g in generations]


def write_rows(path: Path, rows: Sequence[dict], names: Sequence[str | None], generations: Sequence, pairs: list,
               cosine: Callable[[list[str], list[str]], list[float]]) -> None:
    """One line per set: the names, their cosines to the truth, and the model name's cosine to each candidate."""
    from gene_r1.knowledge_base.fileio import write_atomic

    model_names = [n or "" for n in names]
    firsts = [(i, c["name"]) for i, r in enumerate(rows) for c in r["candidates"]]
    to_candidates = cosine([model_names[i] for i, _ in firsts], [name for _, name in firsts])
    by_set: dict[int, list[float]] = {}
    for (i, _), value in zip(firsts, to_candidates, strict=True):
        by_set.setdefault(i, []).append(round(float(value), 5))
    lines = []
    for i, (row, generation, (model, ranker)) in enumerate(zip(rows, generations, pairs, strict=True)):
        lines.append(json.dumps({
            "id": row["id"], "true": row["target"], "ranker": row["candidates"][0]["name"], "model": names[i],
            "raw": generation.text, "model_score": round(model, 5), "ranker_score": round(ranker, 5),
            "model_to_candidates": by_set.get(i, []),
            "candidates": [{k: c[k] for k in ("number", "name", "overlap", "fdr", "label")} for c in row["candidates"]],
            "set_size": len(row["genes"])}))
    write_atomic(path, "\n".join(lines) + "\n")


def main(argv: Sequence[str] | None = None) -> dict:
    from gene_r1.agent.model import ModelConfig
    from gene_r1.agent.naming import NAMING_TOKENS
    from gene_r1.training.data import read_jsonl
    from gene_r1.training.similarity import get_encoder

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="Naming data directory (its dev.jsonl).")
    parser.add_argument("--adapter", required=True, help="Adapter or checkpoint directory; 'none': the base model.")
    parser.add_argument("--model", default=None, help="Base model directory (default: the embedded SmolLM2).")
    parser.add_argument("--limit", type=int, default=200, help="The first N dev sets.")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--max-new-tokens", type=int, default=NAMING_TOKENS,
                        help="The agent's naming bound (agent.naming.NAMING_TOKENS) by default.")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0, help="Bootstrap seed.")
    parser.add_argument("--show", type=int, default=0, help="Print this many (true, ranker, model) names.")
    parser.add_argument("--rows", type=Path, default=None, help="Write one JSON line per set here.")
    args = parser.parse_args(argv)

    rows = read_jsonl(args.data / "dev.jsonl")[: args.limit]
    config = ModelConfig(model=args.model, adapter=args.adapter, device="cpu", threads=args.threads,
                         max_batch_size=args.batch)
    started = time.perf_counter()
    generations, names = generate_names(rows, config, args.max_new_tokens)
    seconds = time.perf_counter() - started
    encoder = get_encoder()
    scores, pairs = score_names(names, rows, encoder.cosine_pairs, seed=args.seed)
    if args.rows:
        write_rows(args.rows, rows, names, generations, pairs, encoder.cosine_pairs)
    cut = sum(g.completion_tokens >= args.max_new_tokens for g in generations) / max(len(rows), 1)
    result = {"adapter": args.adapter, "data": str(args.data), **asdict(scores), "cut_off_share": round(cut, 3),
              "seconds_per_set": round(seconds / max(len(rows), 1), 3), "max_new_tokens": args.max_new_tokens}
    for row, name, generation in list(zip(rows, names, generations, strict=True))[: args.show]:
        print(json.dumps({"true": row["target"], "ranker": row["candidates"][0]["name"], "model": name,
                          "raw": generation.text}), file=sys.stderr)
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
