"""The LightGBM ranker evaluated in numpy (`agent.trees`) scores exactly as LightGBM's own predict does."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gene_r1.agent.ranker import DEFAULT_ASSETS
from gene_r1.agent.trees import TreeModelError, load_model, read_model
from tests.fixtures_kb import sample_gene_sets

lightgbm = pytest.importorskip("lightgbm")
SHIPPED = DEFAULT_ASSETS / "ranker.txt"


def candidate_feature_rows(home: Path, sets: list[list[str]]) -> np.ndarray:
    """The ranker's inputs for real candidates: evidence gathered, pooled and featurised by the agent's engines."""
    from gene_r1.agent.candidates import candidate_pool
    from gene_r1.agent.config import AgentConfig
    from gene_r1.agent.context import AgentContext
    from gene_r1.agent.evidence import gather
    from gene_r1.agent.features import candidate_features

    context = AgentContext(config=AgentConfig(home=home))
    rows = []
    for genes in sets:
        evidence, search = gather(genes, context.kb, sources=context.config.sources, search_k=context.config.search_k)
        pool = candidate_pool(evidence, search, context.config.pool_k)
        if pool:
            vectors = context.embed([c["name"] for c in pool])
            rows.append(candidate_features(pool, len(genes), vectors, context.ranker.projection))
    return np.concatenate(rows)


def booster(path: Path):
    return lightgbm.Booster(model_file=str(path))


def train(tmp_path: Path, x: np.ndarray, y: np.ndarray, categorical: list[int] | None = None, **params) -> Path:
    data = lightgbm.Dataset(x, y, params={"verbose": -1, "min_data_in_bin": 1},
                            categorical_feature=categorical or "auto")
    model = lightgbm.train({"objective": "regression", "verbose": -1, "num_threads": 1, "min_data_in_leaf": 2,
                            **params}, data, num_boost_round=20)
    path = tmp_path / "model.txt"
    model.save_model(str(path))
    return path


def test_the_shipped_ranker_scores_real_candidates_exactly_as_lightgbm(embedded_kb_home):
    from gene_r1.tools.context import open_knowledge_base

    sets = sample_gene_sets(open_knowledge_base(embedded_kb_home).store, 40, seed=18)
    features = candidate_feature_rows(embedded_kb_home, sets)

    scores = read_model(SHIPPED).predict(features)

    assert len(features) > 300
    np.testing.assert_array_equal(scores, booster(SHIPPED).predict(features, num_threads=1))


def test_a_value_exactly_at_a_threshold_goes_left_as_in_lightgbm():
    model = read_model(SHIPPED)
    rng = np.random.default_rng(0)
    rows = np.tile(rng.normal(size=(1, int(model.num_features))), (200, 1))
    picked = rng.choice(len(model.threshold), size=200, replace=False)
    rows[np.arange(200), model.split_feature[picked]] = model.threshold[picked]

    np.testing.assert_array_equal(model.predict(rows), booster(SHIPPED).predict(rows, num_threads=1))


@pytest.mark.parametrize("params", [
    {},  # missing values: NaN, learned default direction
    {"zero_as_missing": True},  # missing type zero
    {"use_missing": False},  # no missing type: NaN is read as 0
], ids=["nan", "zero", "none"])
def test_missing_values_follow_each_split_s_missing_type_as_in_lightgbm(tmp_path, params):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(400, 4))
    x[rng.random(x.shape) < 0.2] = np.nan
    x[rng.random(x.shape) < 0.2] = 0.0
    y = np.nan_to_num(x[:, 0]) * 2 + (np.isnan(x[:, 1])) * 3 + (x[:, 2] == 0) + rng.normal(scale=0.1, size=400)
    path = train(tmp_path, x, y, **params)
    rows = np.array([[np.nan, np.nan, 0.0, 1.0], [0.0, 0.0, np.nan, -1.0], [1.5, -0.2, 0.0, np.nan]] * 3)
    rows = np.vstack([rows, rng.normal(size=(50, 4))])

    np.testing.assert_array_equal(read_model(path).predict(rows), booster(path).predict(rows, num_threads=1))


def test_trees_that_are_one_leaf_add_their_constant(tmp_path):
    x = np.zeros((40, 2))
    y = np.arange(40, dtype=float)
    path = train(tmp_path, x, y)  # nothing to split on: every tree is one leaf

    model = read_model(path)

    assert np.all(model.roots < 0)
    np.testing.assert_array_equal(model.predict(x[:3]), booster(path).predict(x[:3]))


def test_a_model_with_categorical_splits_is_refused(tmp_path):
    rng = np.random.default_rng(2)
    x = np.column_stack([rng.integers(0, 5, 300), rng.normal(size=300)])
    y = (x[:, 0] == 3) * 2.0 + x[:, 1]
    path = train(tmp_path, x, y, categorical=[0])

    with pytest.raises(TreeModelError, match="categorical"):
        read_model(path)


def test_a_wrong_number_of_features_is_refused():
    with pytest.raises(TreeModelError, match="features"):
        read_model(SHIPPED).predict(np.zeros((2, 3)))


def test_the_parsed_trees_are_cached_and_a_retrained_model_is_parsed_again(tmp_path):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(200, 3))
    path = train(tmp_path, x, x[:, 0])
    first = load_model(path, tmp_path / "cache")
    assert len(list((tmp_path / "cache").glob("trees-*.npz"))) == 1

    cached = load_model(path, tmp_path / "cache")
    retrained = load_model(train(tmp_path, x, -x[:, 1]), tmp_path / "cache")

    np.testing.assert_array_equal(cached.predict(x), first.predict(x))
    np.testing.assert_array_equal(retrained.predict(x), booster(path).predict(x))


def test_a_cache_that_cannot_be_written_is_skipped(tmp_path):
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("")

    model = load_model(SHIPPED, blocked / "cache")

    assert model.num_trees() == read_model(SHIPPED).num_trees()
