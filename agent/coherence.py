"""Does the gene set share a function at all? A verdict from the evidence, in words a biologist reads.

Hu et al. (Nature Methods 2025) showed that a trustworthy namer must say when a list of genes has no coherent
function. The evidence knows: a real set reaches enrichment that random sets of its size rarely reach
(`tools.enrichment_null`), its significant specific pathways explain most of its genes, and its strongest theme
covers a real share of them. A multinomial logistic model over these few numbers (`FEATURES`), fitted on the dev
protocol (`training/analyst_train.py`: dev GO terms, each real, 50%-contaminated and random), gives three
probabilities: the set is real (a specific function covers it), half-real, or random. Reported:

- **coherence** = P(real): the probability that the set as a whole shares a specific function;
- the verdict: `no coherent function` when P(random) reaches the dev-chosen threshold, or when the set's
  strongest evidence is something at least `WEAK_TAIL` of random sets of its size reach and P(real) is below
  `WEAK_COHERENCE` (dev: real sets called so 2.2 % -> 5.2 %, random 74 % -> 82 %: the price of calling the issue's
  ten random genes what they are); else `coherent` when P(real) is the larger of P(real) and P(half), else
  `partly coherent`.

The coefficients, the threshold and their dev numbers live in `assets/coherence/coherence.json`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

ASSETS = Path(__file__).parent / "assets" / "coherence"
SHIPPED_NULL_DIR = ASSETS
CLASSES = ("real", "half", "random")
BASE_FEATURES = ("log10_tested", "best_log_p", "null_tail", "z_best", "explained", "z_explained", "connected",
                 "z_connected", "theme1_share", "theme1_log_fdr", "themes")
# Each evidence feature also enters multiplied by log10 of the set size: what counts as strong depends on the size
# (dev, cross-validated: real vs half-random AUROC 0.879 -> 0.900 with these and the connected share).
FEATURES = BASE_FEATURES + tuple(f"{name}_x_size" for name in BASE_FEATURES[1:])
_Z_RANGE = (-5.0, 10.0)
_CAP = 50.0
WEAK_TAIL = 0.1
WEAK_COHERENCE = 0.2


@dataclass(frozen=True)
class CoherenceInputs:
    """What the verdict reads: genes tested, the set's statistics, the null at this size, and the themes."""

    tested: int
    best_log_p: float
    explained_fraction: float
    connected_fraction: float
    null_reached: int
    null_draws: int
    null_moments: Mapping[str, tuple[float, float]]
    theme_sizes: Sequence[int]  # genes covered by each theme, strongest first
    theme1_fdr: float | None


def features(inputs: CoherenceInputs) -> np.ndarray:
    best_mean, best_sd = inputs.null_moments["best_log_p"]
    explained_mean, explained_sd = inputs.null_moments["explained_fraction"]
    connected_mean, connected_sd = inputs.null_moments["connected_fraction"]
    tested = max(inputs.tested, 1)
    best = min(inputs.best_log_p, _CAP)
    values = {
        "log10_tested": math.log10(tested),
        "best_log_p": best,
        "null_tail": -math.log10((inputs.null_reached + 1) / (inputs.null_draws + 1)),
        "z_best": _z(best, best_mean, best_sd, 0.1),
        "explained": inputs.explained_fraction,
        "z_explained": _z(inputs.explained_fraction, explained_mean, explained_sd, 0.05),
        "connected": inputs.connected_fraction,
        "z_connected": _z(inputs.connected_fraction, connected_mean, connected_sd, 0.05),
        "theme1_share": inputs.theme_sizes[0] / tested if inputs.theme_sizes else 0.0,
        "theme1_log_fdr": min(-math.log10(max(inputs.theme1_fdr, 1e-300)), _CAP) if inputs.theme1_fdr else 0.0,
        "themes": float(len(inputs.theme_sizes)),
    }
    base = np.array([values[name] for name in BASE_FEATURES])
    return np.concatenate([base, base[1:] * values["log10_tested"]])


def _z(value: float, mean: float, sd: float, floor: float) -> float:
    return float(np.clip((value - mean) / max(sd, floor), *_Z_RANGE))


@dataclass(frozen=True)
class CoherenceModel:
    """Standardise, then a softmax over CLASSES; `none_threshold` on P(random) says "no coherent function"."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray  # (classes, features)
    intercept: np.ndarray  # (classes,)
    none_threshold: float
    facts: dict

    def probabilities(self, x: np.ndarray) -> dict[str, float]:
        z = self.coef @ ((x - self.mean) / self.scale) + self.intercept
        p = np.exp(z - z.max())
        p /= p.sum()
        return dict(zip(CLASSES, (float(v) for v in p), strict=True))

    def verdict(self, probabilities: Mapping[str, float], null_share: float = 0.0) -> str:
        """`null_share`: the share of random sets of this size that reached the set's strongest evidence."""
        weak = null_share >= WEAK_TAIL and probabilities["real"] < WEAK_COHERENCE
        if probabilities["random"] >= self.none_threshold or weak:
            return "no coherent function"
        return "coherent" if probabilities["real"] >= probabilities["half"] else "partly coherent"

    def to_json(self) -> dict:
        return {"features": list(FEATURES), "classes": list(CLASSES), "mean": self.mean.tolist(),
                "scale": self.scale.tolist(), "coef": self.coef.tolist(), "intercept": self.intercept.tolist(),
                "none_threshold": self.none_threshold, "facts": self.facts}

    @classmethod
    def from_json(cls, data: Mapping) -> CoherenceModel:
        if tuple(data["features"]) != FEATURES or tuple(data["classes"]) != CLASSES:
            raise ValueError("the coherence model was fitted on other features; refit it (gene-r1 train analyst)")
        return cls(np.array(data["mean"]), np.array(data["scale"]), np.array(data["coef"]),
                   np.array(data["intercept"]), float(data["none_threshold"]), dict(data.get("facts", {})))


@cache
def load_model(path: Path = ASSETS / "coherence.json") -> CoherenceModel:
    return CoherenceModel.from_json(json.loads(path.read_text(encoding="utf-8")))
