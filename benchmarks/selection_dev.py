"""How the final name is chosen, measured on a GO:BP development set (evidence only, no model).

Compares the top enrichment hit by p-value with the "consensus" rule of `agent/selection.py` over a grid of
settings, on GO:BP terms outside every benchmark and reserved id. The agent's defaults were picked with this script.

Usage: GENE_R1_HOME=... python benchmarks/selection_dev.py [--terms 200] [--seed 7]
"""

from __future__ import annotations

import argparse
import math
import random
from pathlib import Path

import numpy as np

from agent.evidence import is_significant, row_from_enrichment
from knowledge_base.embedding import get_embedder
from knowledge_base.go import load_go
from tools import enrich, open_knowledge_base
from training.benchmarks import held_out_go_ids

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--terms", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", type=Path, default=SHARED)
    args = parser.parse_args()

    go = load_go(args.data / "go", namespaces=("BP",))
    held_out = held_out_go_ids(args.data)
    pool = sorted(t for t, term in go.items() if t not in held_out and 5 <= len(term.genes) <= 100)
    dev = random.Random(args.seed).sample(pool, args.terms)
    kb, embedder = open_knowledge_base(), get_embedder()
    weightings = {
        "-log10 FDR": lambda f: min(-math.log10(f), 20.0),
        "sqrt(-log10 FDR)": lambda f: math.sqrt(min(-math.log10(f), 20.0)),
        "uniform": lambda f: 1.0,
    }
    grid = [(c, e, w) for c in (3, 5, 10) for e in (5, 10, 20) for w in weightings]
    scores: dict = {key: [] for key in grid}
    top1 = []
    for term_id in dev:
        term = go[term_id]
        rows = [row_from_enrichment(hit) for hit in enrich(sorted(term.genes), kb=kb, max_results=20)]
        significant = [row for row in rows if is_significant(row, 0.05)] or rows[:1]
        if not significant:
            top1.append(0.0)
            for key in grid:
                scores[key].append(0.0)
            continue
        truth = embedder.encode([term.name])[0]
        vectors = embedder.encode([row["name"] for row in significant])
        similarity_to_truth = vectors @ truth
        top1.append(similarity_to_truth[0])
        for candidates, evidence, weighting in grid:
            rows_used = significant[:evidence]
            weights = np.array([weightings[weighting](max(row["fdr"], 1e-300)) for row in rows_used])
            consensus = (vectors[:candidates] @ vectors[: len(rows_used)].T) @ weights / weights.sum()
            scores[(candidates, evidence, weighting)].append(similarity_to_truth[int(np.argmax(consensus))])
    print(f"{len(dev)} GO:BP dev terms (seed {args.seed}); mean MiniLM similarity of the chosen name to the true name")
    print(f"  top hit by p-value: {np.mean(top1):.4f}")
    for key, values in sorted(scores.items(), key=lambda item: -np.mean(item[1]))[:8]:
        print(f"  consensus of top {key[0]} names vs top {key[1]} pathways, {key[2]} weights: {np.mean(values):.4f}")


if __name__ == "__main__":
    main()
