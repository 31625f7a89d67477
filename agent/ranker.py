"""The feature ranker and the judge's settings, loaded from a directory of assets.

`ranker.txt` is a LightGBM model over `agent.features.FEATURE_NAMES`, evaluated in numpy (`agent.trees`: equal to
LightGBM's predict, without its 2-6 s import); `name_projection.npz` the principal
components of training names those features include; `judge.json` holds what was chosen on the dev
split with it: the weight of the model's log-probabilities against the ranker score, the softmax temperature that
turns scores into probabilities, and the calibration table that maps the chosen candidate's probability to the
chance that the name is right (cosine to the true name >= 0.5 on dev). `training/judge_train.py` writes both.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from gene_r1.agent.features import FEATURE_NAMES, NAME_COMPONENTS, NameProjection
from gene_r1.agent.trees import TreeEnsemble, TreeModelError, load_model

DEFAULT_ASSETS = Path(__file__).resolve().parent / "assets" / "judge"
ASSET_FILES = ("ranker.txt", "name_projection.npz", "judge.json")


class RankerError(RuntimeError):
    """Ranker assets that are missing or do not match the code's features."""


@dataclass(frozen=True)
class JudgeSettings:
    feature_names: tuple[str, ...] = FEATURE_NAMES
    temperature: float = 1.0
    model_weight: float = 0.0  # 0: the model's vote does not move the ranker's order
    calibration_x: tuple[float, ...] = (0.0, 1.0)
    calibration_y: tuple[float, ...] = (0.0, 1.0)
    shown: int = 6  # candidates shown to the model (single-digit numbers)
    facts: dict = field(default_factory=dict)  # how the assets were trained and what they scored

    def calibrated(self, probability: float) -> float:
        return float(np.interp(probability, self.calibration_x, self.calibration_y))


@dataclass(frozen=True)
class FeatureRanker:
    trees: TreeEnsemble
    settings: JudgeSettings
    directory: Path
    projection: NameProjection

    def scores(self, features: np.ndarray) -> np.ndarray:
        if len(features) == 0:
            return np.zeros(0)
        return self.trees.predict(features)


def load_settings(directory: Path) -> JudgeSettings:
    path = directory / "judge.json"
    if not path.is_file():
        return JudgeSettings()
    raw = json.loads(path.read_text(encoding="utf-8"))
    settings = JudgeSettings(
        feature_names=tuple(raw.get("feature_names", FEATURE_NAMES)),
        temperature=float(raw.get("temperature", 1.0)),
        model_weight=float(raw.get("model_weight", 0.0)),
        calibration_x=tuple(raw.get("calibration", {}).get("x", (0.0, 1.0))),
        calibration_y=tuple(raw.get("calibration", {}).get("y", (0.0, 1.0))),
        shown=int(raw.get("shown", 6)),
        facts=raw.get("facts", {}),
    )
    if settings.feature_names != FEATURE_NAMES:
        raise RankerError(
            f"{path} was trained on other features ({len(settings.feature_names)}) than this code computes "
            f"({len(FEATURE_NAMES)}): retrain with `gene-r1 train judge`."
        )
    return settings


@lru_cache(maxsize=4)
def load_ranker(directory: Path | None = None, cache_dir: Path | None = None) -> FeatureRanker:
    """The ranker of `directory` (default: the shipped assets); `cache_dir` keeps its parsed trees between
    processes (`agent.trees.load_model`)."""
    directory = Path(directory) if directory else DEFAULT_ASSETS
    model_file = directory / "ranker.txt"
    if not model_file.is_file():
        raise RankerError(f"No feature ranker at {model_file}: train one with `gene-r1 train judge`.")
    try:
        trees = load_model(model_file, cache_dir)
    except TreeModelError as error:
        raise RankerError(f"{model_file} cannot be evaluated ({error}): retrain with `gene-r1 train judge`.") from error
    if int(trees.num_features) != len(FEATURE_NAMES):
        raise RankerError(f"{model_file} expects {int(trees.num_features)} features, the code computes "
                          f"{len(FEATURE_NAMES)}: retrain with `gene-r1 train judge`.")
    return FeatureRanker(trees, load_settings(directory), directory, load_projection(directory))


def load_projection(directory: Path) -> NameProjection:
    path = directory / "name_projection.npz"
    if not path.is_file():
        raise RankerError(f"No name projection at {path}: retrain with `gene-r1 train judge`.")
    with np.load(path) as saved:
        projection = NameProjection(saved["mean"], saved["components"])
    if projection.components.shape != (NAME_COMPONENTS, len(projection.mean)):
        raise RankerError(f"{path} holds {projection.components.shape[0]} components, the code uses "
                          f"{NAME_COMPONENTS}: retrain with `gene-r1 train judge`.")
    return projection


def save_projection(directory: Path, projection: NameProjection) -> None:
    np.savez(directory / "name_projection.npz", mean=projection.mean.astype(np.float32),
             components=projection.components.astype(np.float32))
