"""Fit the analyst judge on the dev protocol: the coherence model, its "no coherent function" threshold, the
headline rule's values, and the name-confidence model. Dev records only (`training/analyst_records.py` over
`training/noise_protocol.dev_protocol`); never a benchmark set or a reserved GO id.

Every choice below is made on cross-validated dev predictions (5 folds grouped by term, so a term's real, half and
random versions fall in the same fold) and recorded in the shipped asset's `facts`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from gene_r1.agent.coherence import CLASSES, CoherenceInputs, CoherenceModel, features
from gene_r1.agent.headline import general_over_reactions, is_grounded

MAX_REAL_CALLED_NONE = 0.025  # the dev ceiling on real sets called "no coherent function" (the bar is 3%)
RIGHT_NAME = 0.5  # a name at cosine >= 0.5 to the true one counts as right (as the ranker's labels)


def record_inputs(record: dict) -> CoherenceInputs:
    groups = record.get("groups", [])
    stats = record.get("stats", {"best_log_p": 0.0, "explained_fraction": 0.0, "connected_fraction": 0.0})
    moments = record.get("null_moments") or {"best_log_p": (0.0, 1.0), "explained_fraction": (0.0, 1.0),
                                             "connected_fraction": (0.0, 1.0)}
    return CoherenceInputs(record.get("tested", 0), stats["best_log_p"], stats["explained_fraction"],
                           stats["connected_fraction"],
                           record.get("null_reached", 0), record.get("null_draws", 1), moments,
                           [len(g["genes"]) for g in groups], groups[0]["best_fdr"] if groups else None)


def design(records: Sequence[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = np.array([features(record_inputs(r)) for r in records])
    y = np.array([CLASSES.index(r["version"]) for r in records])
    groups = np.array([hash_id(r["id"]) for r in records])
    return x, y, groups


def hash_id(text: str) -> int:
    import hashlib

    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


def fit_logistic(x: np.ndarray, y: np.ndarray, c: float = 1.0, multiclass: bool = True):
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=2000)
    model.fit((x - mean) / scale, y)
    return model, mean, scale


def cross_validated(x: np.ndarray, y: np.ndarray, groups: np.ndarray, c: float, folds: int = 5) -> np.ndarray:
    """Out-of-fold class probabilities."""
    out = np.zeros((len(y), len(np.unique(y)) if len(np.unique(y)) > 2 else 2))
    fold = groups % folds
    for k in range(folds):
        train, test = fold != k, fold == k
        model, mean, scale = fit_logistic(x[train], y[train], c)
        out[test] = model.predict_proba((x[test] - mean) / scale)
    return out


def auroc(positive: np.ndarray, negative: np.ndarray) -> float:
    """P(score of a positive > score of a negative), ties counted half."""
    from scipy.stats import rankdata

    scores = np.concatenate([positive, negative])
    ranks = rankdata(scores)
    n_pos, n_neg = len(positive), len(negative)
    if not n_pos or not n_neg:
        return float("nan")
    return float((ranks[:n_pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def reliability(probabilities: np.ndarray, outcomes: np.ndarray, bins: int = 10) -> tuple[float, list[dict]]:
    """Expected calibration error and the reliability table (equal-width bins)."""
    table, ece = [], 0.0
    edges = np.linspace(0, 1, bins + 1)
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        inside = (probabilities >= lo) & ((probabilities < hi) | (hi == 1.0))
        if not inside.any():
            continue
        mean_p, rate = float(probabilities[inside].mean()), float(outcomes[inside].mean())
        ece += inside.sum() / len(probabilities) * abs(mean_p - rate)
        table.append({"bin": f"{lo:.1f}-{hi:.1f}", "n": int(inside.sum()), "mean_probability": round(mean_p, 3),
                      "observed": round(rate, 3)})
    return float(ece), table


def choose_none_threshold(p_random: np.ndarray, y: np.ndarray, ceiling: float = MAX_REAL_CALLED_NONE) -> float:
    """The lowest P(random) threshold that calls at most `ceiling` of the real sets "no coherent function"."""
    real = np.sort(p_random[y == CLASSES.index("real")])
    if not len(real):
        return 0.5
    allowed = int(math.floor(ceiling * len(real)))
    return float(real[len(real) - allowed - 1] + 1e-6) if allowed < len(real) else 0.0


def called_none(probabilities: np.ndarray, null_shares: np.ndarray, threshold: float) -> np.ndarray:
    """The shipped verdict rule (`agent.coherence.CoherenceModel.verdict`) on many rows."""
    from gene_r1.agent.coherence import WEAK_COHERENCE, WEAK_TAIL

    return (probabilities[:, 2] >= threshold) | ((null_shares >= WEAK_TAIL) & (probabilities[:, 0] < WEAK_COHERENCE))


def null_shares(records: Sequence[dict]) -> np.ndarray:
    return np.array([r.get("null_reached", 1) / max(r.get("null_draws", 1), 1) for r in records])


def coherence_summary(probabilities: np.ndarray, y: np.ndarray, threshold: float, shares: np.ndarray) -> dict:
    p_real = probabilities[:, 0]
    real, half, rand = (y == 0), (y == 1), (y == 2)
    ece, table = reliability(p_real, real.astype(float))
    none = called_none(probabilities, shares, threshold)
    return {
        "auroc_real_vs_random": round(auroc(p_real[real], p_real[rand]), 4),
        "auroc_real_vs_half": round(auroc(p_real[real], p_real[half]), 4),
        "none_share": {v: round(float(none[y == i].mean()), 4) for i, v in enumerate(CLASSES)},
        "ece": round(ece, 4),
        "reliability": table,
        "n": {v: int((y == i).sum()) for i, v in enumerate(CLASSES)},
    }


def fit_coherence(records: Sequence[dict], cs: Sequence[float] = (0.1, 0.3, 1.0, 3.0, 10.0)) -> tuple[
        CoherenceModel, dict]:
    x, y, groups = design(records)
    scores = {}
    for c in cs:
        oof = cross_validated(x, y, groups, c)
        scores[c] = float(-np.mean(np.log(np.maximum(oof[np.arange(len(y)), y], 1e-12))))
    best_c = min(scores, key=scores.get)
    oof = cross_validated(x, y, groups, best_c)
    threshold = choose_none_threshold(oof[:, 2], y)
    model, mean, scale = fit_logistic(x, y, best_c)
    facts = {"dev_cross_validated": coherence_summary(oof, y, threshold, null_shares(records)), "C": best_c,
             "log_loss_by_C": {str(k): round(v, 4) for k, v in scores.items()}}
    return CoherenceModel(mean, scale, model.coef_, model.intercept_, threshold, facts), facts


def theme_headline(record: dict, min_share: float, reaction_size: int | None, fdr_threshold: float = 0.05):
    """The grounded name of the record's strongest-evidence theme (ranker order among the theme's pathways that
    the pool holds, else enrichment order)."""
    if not record.get("groups"):
        return None
    group = record["groups"][0]
    ids = set(group["pathway_ids"])
    in_pool = [c for c in record["candidates"] if c["pathway_id"] in ids]
    if not in_pool:
        # every row of a group is significant; their genes are not in the record (placeholders of the right count)
        in_pool = [{"number": i + 1, "name": n, "pathway_id": pid, "overlap_genes": [f"{pid}:{k}" for k in range(o)],
                    "pathway_size": s, "fdr": group["best_fdr"], "label": lab}
                   for i, (n, pid, o, s, lab) in enumerate(zip(group["names"], group["pathway_ids"],
                                                                 group["overlaps"], group["sizes"],
                                                                 group.get("labels", []), strict=False))]
    best_overlap = max(group["overlaps"])
    passing = [c for c in in_pool if is_grounded(c, best_overlap, record["tested"], fdr_threshold, min_share)]
    if reaction_size:
        passing = general_over_reactions(passing, reaction_size)
    passing.sort(key=lambda c: c["number"])
    return passing[0] if passing else None


def headline_of(record: dict, min_share: float, reaction_size: int | None, fdr_threshold: float = 0.05) -> dict | None:
    """The agent's headline under a rule (`agent.headline.set_headline`), else its first theme's grounded name."""
    from gene_r1.agent.headline import set_headline

    chosen = set_headline(record.get("candidates", []), record.get("tested", 0), fdr_threshold,
                          min_share=min_share, reaction_size=reaction_size or 0)
    return chosen or theme_headline(record, min_share, reaction_size, fdr_threshold)


def headline_group(record: dict, chosen: dict) -> dict:
    return next((g for g in record["groups"] if chosen["pathway_id"] in g["pathway_ids"]), record["groups"][0])


def name_quality(records: Sequence[dict], min_share: float, reaction_size: int | None) -> float:
    """Mean cosine of the headline to the true name over real records (0 where nothing is named)."""
    values = []
    for record in records:
        chosen = headline_of(record, min_share, reaction_size)
        fallback = record["candidates"][0]["label"] if record.get("candidates") else 0.0
        values.append(chosen["label"] if chosen else fallback)
    return float(np.mean(values)) if values else 0.0


def ranker_quality(records: Sequence[dict]) -> float:
    return float(np.mean([r["candidates"][0]["label"] if r["candidates"] else 0.0 for r in records]))


def name_design(records: Sequence[dict], coherence_real: np.ndarray, min_share: float,
                reaction_size: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Name-confidence rows: one per record whose strongest theme gets a grounded name; label: right name."""
    from gene_r1.agent.analyst import name_features
    from gene_r1.agent.themes import PathwayGroup

    x, y, keep = [], [], []
    for i, record in enumerate(records):
        chosen = headline_of(record, min_share, reaction_size)
        if chosen is None or not record.get("groups"):
            continue
        group = headline_group(record, chosen)
        rows = tuple({"pathway_id": pid} for pid in group["pathway_ids"])
        x.append(name_features(float(coherence_real[i]), PathwayGroup(rows, tuple(group["genes"])), chosen,
                               record["tested"], len(group["pathway_ids"]), 1))
        y.append(float(chosen["label"] >= RIGHT_NAME))
        keep.append(i)
    return np.array(x), np.array(y), np.array(keep, dtype=int)


def fit_name_confidence(records: Sequence[dict], coherence_real: np.ndarray, min_share: float,
                        reaction_size: int | None) -> tuple[dict, dict]:
    """A logistic P(right name) over the name features, cross-validated on dev for its reliability table."""
    x, y, keep = name_design(records, coherence_real, min_share, reaction_size)
    groups = np.array([hash_id(records[i]["id"]) for i in keep])
    oof = cross_validated(x, y.astype(int), groups, 1.0)[:, 1]
    ece, table = reliability(oof, y)
    model, mean, scale = fit_logistic(x, y.astype(int), 1.0)
    labels = np.array([headline_of(records[i], min_share, reaction_size)["label"] for i in keep])
    facts = {"ece": round(ece, 4), "reliability": table, "n": int(len(y)), "right_share": round(float(y.mean()), 4),
             "correlation_with_name_similarity": round(float(np.corrcoef(oof, labels)[0, 1]), 4)}
    return {"mean": mean.tolist(), "scale": scale.tolist(), "coef": model.coef_[0].tolist(),
            "intercept": float(model.intercept_[0]), "features": list(_name_feature_names())}, facts


def _name_feature_names() -> tuple[str, ...]:
    from gene_r1.agent.analyst import NAME_FEATURES

    return NAME_FEATURES


def rule_grid(real: Sequence[dict]) -> dict[str, float]:
    """Dev name quality (mean cosine of the strongest theme's name) under each headline rule."""
    out = {"ranker, no rule": round(ranker_quality(real), 4)}
    for min_share in (0.0, 0.5, 0.6, 0.75):
        for reaction in (None, 10):
            out[f"share>={min_share}, reaction<={reaction}"] = round(name_quality(real, min_share, reaction), 4)
    return out


def train_analyst(records: Sequence[dict], min_share: float, reaction_size: int | None) -> dict:
    """Fit both models on dev records; the asset's JSON (coherence model + name model + facts)."""
    model, facts = fit_coherence(records)
    x, y, groups = design(records)
    oof = cross_validated(x, y, groups, facts["C"])
    name_model, name_facts = fit_name_confidence(records, oof[:, 0], min_share, reaction_size)
    real = [r for r in records if r["version"] == "real"]
    facts |= {"name_model": name_model, "name_confidence_dev": name_facts, "headline_rule_dev": rule_grid(real),
              "dev_cases": len(records)}
    return CoherenceModel(model.mean, model.scale, model.coef, model.intercept, model.none_threshold, facts).to_json()
