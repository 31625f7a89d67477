"""Could a richer rule pick the better of the two names? A logistic rule over run-time features of both names (the
grounding cosine, the model name's cosine to the pick and to the shortlist, the pick's FDR and overlap, GO-style or
title-case wording, lengths, set size), its probability threshold fitted on four folds of the naming dev rows and
applied to the fifth; prints the out-of-fold gain over the ranker for 5 fold seeds (issue 17, item 3).

Usage: python benchmarks/naming_rule_features.py ROWS.jsonl   (rows from `benchmarks/naming_eval.py --rows`)
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from gene_r1.agent.naming import grounding

GO_WORDS = re.compile(r"\b(regulation|process|activity|binding|complex)\b")
THRESHOLDS = np.arange(0.3, 0.95, 0.025)


def features(row: dict) -> list[float]:
    """What the agent knows when it decides: the two names, the shortlist and the model's cosines to it."""
    pick, to_shortlist = row["candidates"][0], row["model_to_candidates"]
    model, pick_words = row["model"] or "", pick["name"].split()
    return [
        grounding(to_shortlist, row["candidates"])[0],
        to_shortlist[0],
        float(np.mean(to_shortlist)),
        -np.log10(max(pick["fdr"] or 1.0, 1e-300)) / 10,
        pick["overlap"] / max(row["set_size"], 1),
        float(model[:1].islower()),
        sum(w[:1].isupper() for w in pick_words) / max(len(pick_words), 1),
        len(model.split()) / 10,
        len(pick_words) / 10,
        float(bool(GO_WORDS.search(model))),
        float(np.log(row["set_size"])) / 5,
    ]


def out_of_fold_gain(x: np.ndarray, model: np.ndarray, ranker: np.ndarray, *, c: float, seed: int) -> float:
    final = ranker.copy()
    better = model > ranker
    for train, test in KFold(5, shuffle=True, random_state=seed).split(x):
        classifier = LogisticRegression(C=c, max_iter=1000).fit(x[train], better[train])
        fitted = classifier.predict_proba(x[train])[:, 1]
        threshold, best = 1.01, ranker[train].mean()
        for t in THRESHOLDS:
            score = np.where(fitted >= t, model[train], ranker[train]).mean()
            if score > best + 1e-9:
                threshold, best = t, score
        final[test] = np.where(classifier.predict_proba(x[test])[:, 1] >= threshold, model[test], ranker[test])
    return float(final.mean() - ranker.mean())


def main() -> None:
    rows = [json.loads(line) for line in Path(sys.argv[1]).read_text(encoding="utf-8").splitlines()]
    x = np.array([features(r) for r in rows])
    model = np.array([r["model_score"] for r in rows])
    ranker = np.array([r["ranker_score"] for r in rows])
    print(f"{len(rows)} sets: ranker {ranker.mean():.4f}, model {model.mean():.4f}, best of two "
          f"{np.maximum(model, ranker).mean():.4f}, model better on {np.mean(model > ranker):.1%}")
    for c in (0.1, 1.0):
        gains = [out_of_fold_gain(x, model, ranker, c=c, seed=seed) for seed in range(5)]
        print(f"C={c}: out-of-fold gain over the ranker by fold seed {np.round(gains, 4).tolist()}, "
              f"mean {np.mean(gains):+.4f}")


if __name__ == "__main__":
    main()
