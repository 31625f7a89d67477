from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import hypergeom

from gene_r1.tools.stats import hypergeom_sf

GRID = [(population, draws) for population in (20, 500, 13_325, 44_859) for draws in (1, 8, 50, 5_000)
        if draws <= population]


@pytest.mark.parametrize(("population", "draws"), GRID)
def test_upper_tail_equals_scipys_hypergeometric_survival_function(population, draws):
    rng = np.random.default_rng(population + draws)
    sizes = np.minimum(rng.integers(1, 3_000, 300), population)
    overlap = rng.integers(1, np.minimum(sizes, draws) + 1)

    expected = hypergeom.sf(overlap - 1, population, sizes, draws)

    np.testing.assert_allclose(hypergeom_sf(overlap, population, sizes, draws), expected, rtol=1e-9, atol=1e-300)


def test_impossible_overlaps_have_probability_zero_and_certain_ones_one():
    # 10 genes of 12 in the set, 11 drawn: at least 9 overlap whatever the draw; more than 10 cannot.
    assert hypergeom_sf([9, 11], 12, 10, 11).tolist() == [1.0, 0.0]


def test_the_full_overlap_is_the_probability_of_drawing_the_whole_set():
    assert hypergeom_sf(3, 100, 3, 3) == pytest.approx(1 / (100 * 99 * 98 / 6), rel=1e-12)
