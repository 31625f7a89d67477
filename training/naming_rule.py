"""When does the model's name replace the ranker's pick? A rule learned on dev, not assumed (issue 17).

The model may generalise or merge the candidates but not invent: its name is taken only when it lies close (MiniLM
cosine) to the name of a significant candidate, the pathways the evidence holds. How close is learned on the naming
dev split (`benchmarks/naming_eval.py --rows`, dev terms only): the threshold that maximises the mean cosine of the
final name to the true one. Its gain over the ranker alone is measured out of fold (5 folds: the threshold is fitted
on four and applied to the fifth), with a paired bootstrap interval, so the number that decides the default is not
the number the threshold was fitted on.

Usage: python -m gene_r1.training.naming_rule ROWS.jsonl [ROWS.jsonl ...] [--write]   (prints JSON; --write stores
the fitted threshold and its dev facts as the agent's rule, agent/assets/naming/rule.json)
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from gene_r1.agent.naming import NEVER, NamingRule, grounding

GRID = tuple(round(0.30 + 0.025 * i, 3) for i in range(29))  # 0.30 .. 1.00


def row_grounding(row: dict) -> float:
    return grounding(row["model_to_candidates"], row["candidates"])[0]


def final_scores(rows: Sequence[dict], rule: NamingRule) -> tuple[np.ndarray, np.ndarray]:
    """Per set: the cosine to the truth of the name the rule keeps, and whether it kept the model's."""
    taken = np.array([rule.accepts(r["model"], row_grounding(r)) for r in rows])
    model = np.array([r["model_score"] for r in rows])
    ranker = np.array([r["ranker_score"] for r in rows])
    return np.where(taken, model, ranker), taken


def fit_rule(rows: Sequence[dict], grid: Sequence[float] = GRID) -> NamingRule:
    """The threshold with the best mean final score (ties: the stricter one); the ranker alone when none helps."""
    ranker = float(np.mean([r["ranker_score"] for r in rows])) if rows else 0.0
    best = NamingRule(NEVER)
    best_score = ranker
    for threshold in sorted(grid, reverse=True):
        score = float(final_scores(rows, NamingRule(threshold))[0].mean())
        if score > best_score + 1e-9:
            best, best_score = NamingRule(threshold), score
    return best


@dataclass(frozen=True)
class RuleReport:
    sets: int
    rule: NamingRule  # fitted on every row: what would ship
    ranker: float
    model_always: float
    rule_out_of_fold: float  # each fold's rows under the threshold fitted on the other folds
    gain_out_of_fold: float
    ci95: tuple[float, float]
    model_taken_share: float  # out of fold
    best_of_two: float  # the ceiling of any rule


def evaluate(rows: Sequence[dict], folds: int = 5, seed: int = 0) -> RuleReport:
    from gene_r1.training.grounded_eval import paired_bootstrap

    rows = list(rows)
    fold_of = np.arange(len(rows)) % folds
    out_of_fold = np.zeros(len(rows))
    taken = np.zeros(len(rows), dtype=bool)
    for k in range(folds):
        rule = fit_rule([r for r, f in zip(rows, fold_of, strict=True) if f != k])
        test = [i for i, f in enumerate(fold_of) if f == k]
        scores, kept = final_scores([rows[i] for i in test], rule)
        out_of_fold[test], taken[test] = scores, kept
    ranker = np.array([r["ranker_score"] for r in rows])
    model = np.array([r["model_score"] for r in rows])
    gain, low, high = paired_bootstrap(out_of_fold, ranker, seed=seed)
    return RuleReport(sets=len(rows), rule=fit_rule(rows), ranker=round(float(ranker.mean()), 4),
                      model_always=round(float(model.mean()), 4), rule_out_of_fold=round(float(out_of_fold.mean()), 4),
                      gain_out_of_fold=round(gain, 4), ci95=(round(low, 4), round(high, 4)),
                      model_taken_share=round(float(taken.mean()), 3),
                      best_of_two=round(float(np.maximum(model, ranker).mean()), 4))


def read_rows(paths: Sequence[Path]) -> list[dict]:
    return [json.loads(line) for path in paths for line in Path(path).read_text(encoding="utf-8").splitlines()
            if line.strip()]


def main(argv: Sequence[str] | None = None) -> dict:
    args = list(sys.argv[1:] if argv is None else argv)
    write = "--write" in args
    paths = [Path(a) for a in args if a != "--write"]
    if not paths or args[0] in ("-h", "--help"):
        print(__doc__)
        return {}
    report = asdict(evaluate(read_rows(paths)))
    print(json.dumps(report, indent=2))
    if write:
        write_rule(report | {"rows": [str(p) for p in paths]})
    return report


def write_rule(report: dict, path: Path | None = None) -> Path:
    """The agent's naming rule: the threshold fitted on every dev row when its out-of-fold gain over the judge has a
    95 % interval above zero, else the judge's pick always (NEVER); the facts that decided it go with it."""
    from gene_r1.agent.naming import NAMING_RULE
    from gene_r1.knowledge_base.fileio import write_json_atomic

    path = path or NAMING_RULE
    path.parent.mkdir(parents=True, exist_ok=True)
    helps = report["ci95"][0] > 0
    write_json_atomic(path, {"min_grounding": report["rule"]["min_grounding"] if helps else NEVER, "facts": report})
    return path


if __name__ == "__main__":
    main()
