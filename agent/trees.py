"""A LightGBM model evaluated in numpy, from the text file LightGBM saves (`Booster.save_model`).

Why not `lightgbm.Booster.predict`: importing lightgbm costs 1.9-6 s of a cold `gene-r1 analyze` (it imports
scikit-learn, pandas and their stacks; measured with `python -X importtime` on 2 shared cores) for a prediction over
~16 rows. The trees are a few arrays; walking all of them for every row at once, one tree level per numpy step, takes
a few milliseconds. The walk follows LightGBM's `Tree::NumericalDecision` (a missing value goes by the split's
missing type and default direction, `value <= threshold` goes left) and adds the trees in LightGBM's order, in
float64, so the scores equal `Booster.predict`'s bit for bit (tests/agent/test_trees.py checks them on dev-like
feature rows). Categorical splits, linear trees and multi-output models are refused when the file is read.

Parsing the 5.5 MB text of the shipped ranker takes 0.1-0.3 s; `load_model` keeps the parsed arrays in a cache file
(3 ms to read), keyed by the text file's path, size and modification time.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

from gene_r1.knowledge_base.fileio import replacing

_CATEGORICAL = 1
_DEFAULT_LEFT = 2
_MISSING_ZERO, _MISSING_NAN = 1, 2
_ZERO = 1e-35  # LightGBM's kZeroThreshold
_TREE_KEYS = ("num_leaves", "split_feature", "threshold", "decision_type", "left_child", "right_child", "leaf_value")
CACHE_VERSION = 1


class TreeModelError(ValueError):
    """A model file this evaluator cannot read or does not support."""


@dataclass(frozen=True)
class TreeEnsemble:
    """All trees of a model, flattened. Internal nodes are numbered across trees; a child `c < 0` is leaf `~c`."""

    num_features: np.ndarray  # () int
    depth: np.ndarray  # () int: the most internal nodes on a root-to-leaf path
    roots: np.ndarray  # (trees,) node index of each tree's root, or ~leaf for a one-leaf tree
    split_feature: np.ndarray  # (nodes,)
    threshold: np.ndarray  # (nodes,) float64
    decision_type: np.ndarray  # (nodes,) LightGBM's bits: categorical 1, default left 2, missing type << 2
    left: np.ndarray  # (nodes,)
    right: np.ndarray  # (nodes,)
    leaf_value: np.ndarray  # (leaves,) float64

    def num_trees(self) -> int:
        return len(self.roots)

    def predict(self, features: np.ndarray) -> np.ndarray:
        """Raw scores (the sum of the trees' leaf values): `Booster.predict(features)` for a ranking or regression
        objective."""
        x = np.asarray(features, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != int(self.num_features):
            raise TreeModelError(f"expected rows of {int(self.num_features)} features, got shape {x.shape}")
        rows = np.arange(len(x))[None, :]
        default_left = (self.decision_type & _DEFAULT_LEFT) != 0
        missing_type = (self.decision_type >> 2) & 3
        node = np.repeat(self.roots[:, None], len(x), axis=1)  # (trees, rows)
        for _ in range(int(self.depth)):
            inner = node >= 0
            at = np.where(inner, node, 0)
            value = x[rows, self.split_feature[at]]
            missing = missing_type[at]
            value = np.where(np.isnan(value) & (missing != _MISSING_NAN), 0.0, value)
            is_default = ((missing == _MISSING_ZERO) & (np.abs(value) <= _ZERO)) | (
                (missing == _MISSING_NAN) & np.isnan(value))
            go_left = np.where(is_default, default_left[at], value <= self.threshold[at])
            node = np.where(inner, np.where(go_left, self.left[at], self.right[at]), node)
        leaves = self.leaf_value[~node]  # (trees, rows)
        total = np.zeros(len(x), dtype=np.float64)
        for tree_values in leaves:  # tree by tree, as LightGBM adds them
            total += tree_values
        return total


def read_model(path: Path) -> TreeEnsemble:
    """Parse a LightGBM text model with one tree per iteration (a ranker or a regressor)."""
    text = Path(path).read_text(encoding="utf-8")
    header, found, body = text.partition("\nTree=")
    head = dict(line.split("=", 1) for line in header.split("\n") if "=" in line)
    if head.get("num_tree_per_iteration", "1") != "1" or head.get("num_class", "1") != "1":
        raise TreeModelError(f"{path}: only single-output models are supported")
    if "average_output" in header.split("\n"):
        raise TreeModelError(f"{path}: random-forest (averaged) models are not supported")
    if not found or "max_feature_idx" not in head:
        raise TreeModelError(f"{path} is not a LightGBM text model with trees")
    values: dict[str, list[str]] = {key: [] for key in _TREE_KEYS}
    for line in body.split("end of trees", 1)[0].split("\n"):
        key, sep, value = line.partition("=")
        if key in values:
            values[key].append(value)
        elif sep and ((key == "num_cat" and value != "0") or (key == "is_linear" and value != "0")):
            raise TreeModelError(f"{path}: categorical splits and linear trees are not supported")
    num_leaves = np.array(values["num_leaves"], dtype=np.int64)
    arrays = {key: np.fromstring(" ".join(values[key]), sep=" ") for key in _TREE_KEYS[1:]}
    decision_type = arrays["decision_type"].astype(np.int64)
    if np.any(decision_type & _CATEGORICAL):
        raise TreeModelError(f"{path}: categorical splits are not supported")
    inner_counts = np.maximum(num_leaves - 1, 0)
    node_start = np.concatenate([[0], np.cumsum(inner_counts)[:-1]])
    leaf_start = np.concatenate([[0], np.cumsum(num_leaves)[:-1]])
    # Children are numbered within their tree: internal ones move by the nodes before it, leaves (~i) by its leaves.
    node_shift = np.repeat(node_start, inner_counts)
    leaf_shift = np.repeat(leaf_start, inner_counts)

    def children(key: str) -> np.ndarray:
        child = arrays[key].astype(np.int64)
        return np.where(child >= 0, child + node_shift, child - leaf_shift)

    left, right = children("left_child"), children("right_child")
    roots = np.where(num_leaves > 1, node_start, ~leaf_start)
    return TreeEnsemble(
        num_features=np.array(int(head["max_feature_idx"]) + 1), depth=np.array(_depth(roots, left, right)),
        roots=roots, split_feature=arrays["split_feature"].astype(np.int64), threshold=arrays["threshold"],
        decision_type=decision_type, left=left, right=right, leaf_value=arrays["leaf_value"],
    )


def _depth(roots: np.ndarray, left: np.ndarray, right: np.ndarray) -> int:
    depth, level = 0, roots[roots >= 0]
    while len(level):
        depth += 1
        level = np.concatenate([left[level], right[level]])
        level = level[level >= 0]
    return depth


def load_model(path: Path, cache_dir: Path | None = None) -> TreeEnsemble:
    """`read_model(path)`, through a cache file in `cache_dir` when one is given (a cache that cannot be written,
    e.g. a read-only home, is skipped)."""
    if cache_dir is None:
        return read_model(path)
    path = Path(path).resolve()
    stat = path.stat()
    key = f"{CACHE_VERSION}:{path}:{stat.st_size}:{stat.st_mtime_ns}"
    cached = Path(cache_dir) / f"trees-{hashlib.sha256(str(path).encode()).hexdigest()[:16]}.npz"
    try:
        with np.load(cached) as saved:
            if str(saved["key"]) == key:
                return TreeEnsemble(**{f.name: saved[f.name] for f in fields(TreeEnsemble)})
    except (OSError, KeyError, ValueError, EOFError):
        pass  # no cache yet, or one of another version: parse
    model = read_model(path)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        with replacing(cached, ".part.npz") as tmp:  # numpy appends .npz to a name without it
            np.savez(tmp, key=np.array(key), **{f.name: getattr(model, f.name) for f in fields(TreeEnsemble)})
    except OSError:
        pass  # a read-only data home: parse again next time
    return model
