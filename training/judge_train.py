"""Train the feature ranker (LightGBM lambdarank) on judge data, choose the judge's settings on the dev split,
calibrate its confidence there, and write the assets the agent loads (`agent/assets/judge/`).

Relevance labels are graded from each candidate's cosine to the true name. Everything chosen here (the model's
weight, the softmax temperature, the calibration table) is chosen on `dev.jsonl` only: its terms are in no training
example and in no benchmark or reserved id.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gene_r1.agent.features import FEATURE_NAMES, NAME_COMPONENTS, NameProjection, candidate_features
from gene_r1.tools.thresholds import RIGHT_NAME_COSINE

RIGHT_NAME = RIGHT_NAME_COSINE  # a name at cosine >= 0.5 to the true one counts as right for calibration


@dataclass(frozen=True)
class Featurized:
    features: np.ndarray  # (candidates, features)
    labels: np.ndarray  # cosine to the true name
    groups: list[int]  # candidates per example
    rows: list[dict]

    def offsets(self) -> list[int]:
        return [0, *np.cumsum(self.groups).tolist()]


def read_rows(path: Path) -> list[dict]:
    from gene_r1.training.data import read_jsonl

    return [r for r in read_jsonl(path) if r["pool"]]


def fit_name_projection(rows: Sequence[dict], embed: Callable[[list[str]], np.ndarray]) -> NameProjection:
    """Principal components of the distinct candidate names of (training) rows."""
    names = sorted({c["name"] for r in rows for c in r["pool"]})
    vectors = np.asarray(embed(names), dtype=np.float64)
    mean = vectors.mean(axis=0)
    components = np.linalg.svd(vectors - mean, full_matrices=False)[2][:NAME_COMPONENTS]
    if len(components) < NAME_COMPONENTS:  # fewer names than components: pad (a tiny test set)
        components = np.vstack([components, np.zeros((NAME_COMPONENTS - len(components), len(mean)))])
    return NameProjection(mean, components)


def featurize(rows: Sequence[dict], embed: Callable[[list[str]], np.ndarray],
              projection: NameProjection) -> Featurized:
    names = sorted({c["name"] for r in rows for c in r["pool"]})
    vectors = dict(zip(names, embed(names), strict=True)) if names else {}
    blocks, labels, groups = [], [], []
    for row in rows:
        pool = row["pool"]
        matrix = np.stack([vectors[c["name"]] for c in pool])
        blocks.append(candidate_features(pool, len(row["genes"]), matrix, projection))
        labels.extend(c["label"] for c in pool)
        groups.append(len(pool))
    return Featurized(np.concatenate(blocks), np.asarray(labels), groups, list(rows))


RELEVANCE_LEVELS = 20


def relevance(labels: np.ndarray) -> np.ndarray:
    """Graded relevance 0..20 from cosine (negative cosines are 0). On dev, 20 grades chose better names than 10
    (mean cosine 0.391 vs 0.388), lambdarank better than regression on the cosine (0.379) or rank_xendcg (0.382)."""
    return np.clip(np.round(labels * RELEVANCE_LEVELS), 0, RELEVANCE_LEVELS).astype(int)


def train_ranker(train: Featurized, *, seed: int = 0, rounds: int = 800, leaves: int = 63) -> object:
    """LambdaRank over the features. Measured on dev (800 sets; seeds 0/1 vary by about 0.004): 400 rounds of 15
    leaves over the 18 evidence features 0.390; 800 rounds of 63 leaves 0.406; + the theme features 0.407/0.412;
    + 8 name components 0.418; the same on 18,620 training sets instead of 11,310: 0.420."""
    import lightgbm

    dataset = lightgbm.Dataset(train.features, relevance(train.labels), group=train.groups,
                               feature_name=list(FEATURE_NAMES), free_raw_data=False)
    params = {"objective": "lambdarank", "metric": "ndcg", "ndcg_eval_at": [1], "learning_rate": 0.05,
              "num_leaves": leaves, "min_data_in_leaf": 20, "feature_fraction": 0.9, "bagging_fraction": 0.8,
              "bagging_freq": 1, "seed": seed, "deterministic": True, "num_threads": 1, "verbose": -1,
              "lambdarank_truncation_level": 10, "label_gain": list(range(RELEVANCE_LEVELS + 1))}
    return lightgbm.train(params, dataset, num_boost_round=rounds)


def per_group(values: np.ndarray, data: Featurized) -> list[np.ndarray]:
    offsets = data.offsets()
    return [values[offsets[i] : offsets[i + 1]] for i in range(len(data.groups))]


def chosen_cosines(scores: np.ndarray, data: Featurized) -> np.ndarray:
    """The cosine of the name each example would get if the highest score won."""
    return np.array([labels[int(np.argmax(s))] for s, labels in zip(per_group(scores, data),
                                                                      per_group(data.labels, data), strict=True)])


def baselines(data: Featurized) -> dict[str, float]:
    """Dev scores of rules that need no training: the top hit, the most central name, oracles."""
    rank = data.features[:, FEATURE_NAMES.index("enrichment_rank")]
    central = data.features[:, FEATURE_NAMES.index("sim_to_top5_centroid")]
    oracle5 = [labels[: 5].max() for labels in per_group(data.labels, data)]
    return {"top_hit": float(chosen_cosines(-rank, data).mean()),
            "most_central": float(chosen_cosines(central, data).mean()),
            "oracle_top5": float(np.mean(oracle5)),
            "oracle_pool": float(np.mean([labels.max() for labels in per_group(data.labels, data)]))}


def softmax_top(scores: np.ndarray, data: Featurized, temperature: float, shown: int) -> np.ndarray:
    """Per example, the softmax probability of the winner among the `shown` best-ranked candidates."""
    from gene_r1.agent.judge import softmax

    return np.asarray([softmax(np.sort(s)[::-1][:shown], temperature)[0] for s in per_group(scores, data)])


def fit_isotonic(probabilities: np.ndarray, right: np.ndarray, points: int = 12) -> tuple[list[float], list[float]]:
    """A monotone map probability -> P(right), as a small interpolation table."""
    from sklearn.isotonic import IsotonicRegression

    model = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(probabilities, right)
    xs = np.unique(np.quantile(probabilities, np.linspace(0, 1, points)))
    return [round(float(x), 4) for x in xs], [round(float(y), 4) for y in model.predict(xs)]


def expected_calibration_error(confidence: np.ndarray, right: np.ndarray, bins: int = 10) -> float:
    edges = np.linspace(0, 1, bins + 1)
    index = np.clip(np.digitize(confidence, edges) - 1, 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = index == b
        if mask.any():
            total += mask.mean() * abs(confidence[mask].mean() - right[mask].mean())
    return float(total)


def reliability_table(confidence: np.ndarray, right: np.ndarray, bins: int = 5) -> list[dict]:
    edges = np.linspace(0, 1, bins + 1)
    index = np.clip(np.digitize(confidence, edges) - 1, 0, bins - 1)
    return [{"bin": f"{edges[b]:.1f}-{edges[b + 1]:.1f}", "n": int((index == b).sum()),
             "stated": round(float(confidence[index == b].mean()), 3),
             "right": round(float(right[index == b].mean()), 3)} for b in range(bins) if (index == b).any()]


TEMPERATURES = (0.25, 0.5, 1.0, 2.0, 4.0)


def calibrate_winners(winner_probability: Callable[[float], np.ndarray], right: np.ndarray, seed: int = 0) -> dict:
    """Choose the softmax temperature by two-fold cross-fitted ECE on dev, then fit the isotonic table on all of
    dev. `winner_probability(T)`: per dev set, the chosen candidate's probability at temperature T; `right`: per
    dev set, 1 when the chosen name is right (cosine >= RIGHT_NAME)."""
    folds = np.random.default_rng(seed).permutation(len(right)) % 2
    best = None
    for temperature in TEMPERATURES:
        top = winner_probability(temperature)
        stated = np.empty_like(top)
        for fold in (0, 1):
            xs, ys = fit_isotonic(top[folds != fold], right[folds != fold])
            stated[folds == fold] = np.interp(top[folds == fold], xs, ys)
        ece = expected_calibration_error(stated, right)
        if best is None or ece < best["ece"]:
            best = {"temperature": temperature, "ece": ece, "stated": stated, "top": top}
    xs, ys = fit_isotonic(best["top"], right)
    return {"temperature": best["temperature"], "x": xs, "y": ys,
            "cross_fitted_ece": round(best["ece"], 4),
            "reliability": reliability_table(best["stated"], right),
            "share_right": round(float(right.mean()), 4)}


def calibrate(scores: np.ndarray, data: Featurized, shown: int, seed: int = 0) -> dict:
    """The ranker's calibration on dev (`calibrate_winners` over its shortlists of `shown`)."""
    right = (chosen_cosines(scores, data) >= RIGHT_NAME).astype(float)
    return calibrate_winners(lambda temperature: softmax_top(scores, data, temperature, shown), right, seed)


def write_assets(directory: Path, booster, projection: NameProjection, settings: dict) -> None:
    from gene_r1.agent.ranker import save_projection

    directory.mkdir(parents=True, exist_ok=True)
    booster.save_model(str(directory / "ranker.txt"))
    save_projection(directory, projection)
    (directory / "judge.json").write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
