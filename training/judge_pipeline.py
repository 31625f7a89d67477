"""`gene-r1 train judge-data` and `gene-r1 train judge`: judge data with the agent's evidence engine, then the
feature ranker and the judge's dev-chosen settings, written where the agent loads them."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from gene_r1.agent.ranker import DEFAULT_ASSETS

CARRIED_FACTS = ("model_as_judge", "model_signal")


def embedder() -> Callable[[list[str]], np.ndarray]:
    """The agent's embedding of names (MiniLM, memoised per process)."""
    from gene_r1.agent.context import embed_memoised

    return lambda texts: embed_memoised(list(texts))


def build(source_dir: Path, home: Path | None, out_dir: Path, config, log: Callable[[str], None] = print) -> dict:
    from gene_r1.tools.context import open_knowledge_base
    from gene_r1.training.judge_data import build_judge_data

    kb = open_knowledge_base(home)
    started = time.perf_counter()
    written = build_judge_data(source_dir, kb, out_dir, config, embedder(),
                               progress=lambda done, total: log(f"judge data: {done}/{total}"))
    log(f"judge data: {written} in {time.perf_counter() - started:.0f} s -> {out_dir}")
    return written


def train(data_dir: Path, assets: Path = DEFAULT_ASSETS, *, shown: int = 6, seed: int = 0,
          log: Callable[[str], None] = print) -> dict:
    """Ranker on train.jsonl; temperature and calibration on dev.jsonl; the model's weight is 0 until
    `tune_model_weight` measures the model on dev. Replaces assets trained on other features, keeping the
    hand-recorded measurements of the model (`CARRIED_FACTS`)."""
    from gene_r1.agent.features import FEATURE_NAMES
    from gene_r1.training.judge_train import (
        baselines,
        calibrate,
        chosen_cosines,
        featurize,
        fit_name_projection,
        read_rows,
        train_ranker,
        write_assets,
    )

    embed = embedder()
    train_rows = read_rows(data_dir / "train.jsonl")
    projection = fit_name_projection(train_rows, embed)
    train_data = featurize(train_rows, embed, projection)
    dev_data = featurize(read_rows(data_dir / "dev.jsonl"), embed, projection)
    started = time.perf_counter()
    booster = train_ranker(train_data, seed=seed)
    seconds = time.perf_counter() - started
    dev_scores = booster.predict(dev_data.features, num_threads=1)
    dev = baselines(dev_data) | {"ranker": float(chosen_cosines(dev_scores, dev_data).mean())}
    calibration = calibrate(dev_scores, dev_data, shown, seed)
    # The previous facts are read as they are: they may describe a ranker over other features.
    previous = json.loads((assets / "judge.json").read_text(encoding="utf-8")).get("facts", {}) \
        if (assets / "judge.json").is_file() else {}
    settings = {
        "feature_names": list(FEATURE_NAMES),
        "temperature": calibration["temperature"],
        "model_weight": 0.0,
        "shown": shown,
        "calibration": {"x": calibration["x"], "y": calibration["y"],
                        "right_means": "cosine to the true name >= 0.5",
                        "cross_fitted_ece": calibration["cross_fitted_ece"],
                        "reliability": calibration["reliability"], "share_right": calibration["share_right"]},
        "facts": {"train_examples": len(train_data.groups), "train_candidates": int(len(train_data.labels)),
                  "dev_examples": len(dev_data.groups), "ranker_seconds": round(seconds, 1),
                  "dev_mean_cosine": {k: round(v, 4) for k, v in dev.items()},
                  "data_config": json.loads((data_dir / "config.json").read_text())
                  if (data_dir / "config.json").is_file() else None,
                  "previous_dev": previous.get("dev_mean_cosine"),
                  # measurements of the model made by hand (benchmarks/model_signal.py, judge-tune): kept as they are
                  **{k: previous[k] for k in CARRIED_FACTS if k in previous}},
    }
    write_assets(assets, booster, projection, settings)
    write_model_examples(data_dir, assets, shown=shown, log=log)
    log(f"ranker: {len(train_data.groups)} train examples in {seconds:.0f} s; dev mean cosine "
        + ", ".join(f"{k} {v:.3f}" for k, v in dev.items())
        + f"; calibration ECE {calibration['cross_fitted_ece']:.3f} at T={calibration['temperature']}")
    return settings


def write_model_examples(data_dir: Path, assets: Path = DEFAULT_ASSETS, *, shown: int = 6,
                         log: Callable[[str], None] = print) -> Path:
    """The model's judge examples (SFT/DPO/GRPO) from train.jsonl, shortlists ordered by the trained ranker."""
    from gene_r1.agent.ranker import load_ranker
    from gene_r1.training.data import write_jsonl
    from gene_r1.training.judge_model_data import judge_examples
    from gene_r1.training.judge_train import read_rows

    load_ranker.cache_clear()
    examples = judge_examples(read_rows(data_dir / "train.jsonl"), load_ranker(assets), embedder(), shown)
    out = data_dir / "model"
    write_jsonl(out / "train.jsonl", examples)
    log(f"judge model examples: {len(examples)} -> {out / 'train.jsonl'}")
    return out


def dev_votes(data_dir: Path, assets: Path, adapter: str | None, batch: int = 8,
              log: Callable[[str], None] = print,
              limit: int | None = None) -> tuple[list[list[dict]], list[list[float]], list[dict]]:
    """The ranker's shortlists on dev and the model's log-probabilities over their numbers."""
    from gene_r1.agent.judge import judge_prompt, model_votes, rank
    from gene_r1.agent.model import ModelConfig, load_model
    from gene_r1.agent.ranker import load_ranker
    from gene_r1.training.judge_train import read_rows

    load_ranker.cache_clear()
    ranker = load_ranker(assets)
    rows = read_rows(data_dir / "dev.jsonl")[:limit]
    embed = embedder()
    shortlists = [rank(r["pool"], len(r["genes"]), ranker, embed)[: ranker.settings.shown] for r in rows]
    keep = [i for i, s in enumerate(shortlists) if len(s) > 1]
    model = load_model(ModelConfig(adapter=adapter))
    votes: list[list[float]] = []
    started = time.perf_counter()
    for start in range(0, len(keep), batch):
        chunk = keep[start : start + batch]
        votes += model_votes(model, [judge_prompt(rows[i]["genes"], shortlists[i]) for i in chunk],
                             [len(shortlists[i]) for i in chunk])
        if (start // batch) % 10 == 0:
            log(f"dev votes: {start + len(chunk)}/{len(keep)} ({time.perf_counter() - started:.0f} s)")
    return [shortlists[i] for i in keep], votes, [rows[i] for i in keep]


def tune_model_weight(data_dir: Path, assets: Path = DEFAULT_ASSETS, adapter: str | None = None,
                      log: Callable[[str], None] = print, write: bool = True, limit: int | None = None) -> dict:
    """Choose the model's weight on dev (mean cosine of the chosen name), recalibrate, record the facts
    (`write=False`: measure only)."""
    from gene_r1.agent.judge import softmax
    from gene_r1.agent.ranker import load_settings
    from gene_r1.training.judge_train import RIGHT_NAME, calibrate_winners

    shortlists, votes, rows = dev_votes(data_dir, assets, adapter, log=log, limit=limit)
    labels = []
    for row, shortlist in zip(rows, shortlists, strict=True):
        by_id = {c["pathway_id"]: c["label"] for c in row["pool"]}
        labels.append([by_id[c["pathway_id"]] for c in shortlist])
    settings = load_settings(assets)
    normalised = [np.asarray(v) - np.logaddexp.reduce(v) for v in votes]

    def scores(weight: float) -> list[np.ndarray]:
        return [np.array([c["ranker_score"] for c in s]) + weight * v for s, v in zip(shortlists, normalised,
                                                                                     strict=True)]

    def chosen_labels(weight: float) -> np.ndarray:
        return np.array([lab[int(np.argmax(sc))] for sc, lab in zip(scores(weight), labels, strict=True)])

    model_alone = float(np.mean([lab[int(np.argmax(v))] for v, lab in zip(votes, labels, strict=True)]))
    grid = {w: float(chosen_labels(w).mean()) for w in (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0)}
    weight = max(grid, key=lambda w: (round(grid[w], 4), -w))
    right = (chosen_labels(weight) >= RIGHT_NAME).astype(float)
    calibration = calibrate_winners(
        lambda temperature: np.array([softmax(sc, temperature).max() for sc in scores(weight)]), right)
    raw = json.loads((assets / "judge.json").read_text(encoding="utf-8"))
    raw["model_weight"] = weight
    raw["temperature"] = calibration.pop("temperature")
    raw["calibration"] = calibration | {"right_means": "cosine to the true name >= 0.5"}
    raw["facts"]["model"] = {"adapter": adapter or "shipped default", "dev_sets": len(rows),
                             "dev_mean_cosine_by_weight": {str(k): round(v, 4) for k, v in grid.items()},
                             "model_alone_dev_mean_cosine": round(model_alone, 4),
                             "chosen_weight": weight, "previous_weight": settings.model_weight}
    if write:
        (assets / "judge.json").write_text(json.dumps(raw, indent=2) + "\n", encoding="utf-8")
    log(f"model weight {weight} (dev mean cosine by weight {grid}; model alone {model_alone:.3f}); "
        f"calibration ECE {calibration['cross_fitted_ece']:.3f} at T={raw['temperature']}")
    return raw
