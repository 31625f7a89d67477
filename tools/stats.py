"""Vectorised hypergeometric upper tails and Benjamini-Hochberg adjustment.

scipy's `hypergeom.sf` is exact but costs ~0.2 ms per value at our population size (Boost evaluates each tail on
its own), 23 ms for a typical query's 100 overlapping sets and 170 ms for a 5,000-gene one. Here every set's tail is
summed at once: the first term in log space (`betaln`, accurate for large arguments), the next ones by the pmf's
ratio recurrence, each sum running away from the mode so that its terms shrink geometrically. The tests hold it to
scipy's values within a relative 1e-9 (measured: at most 2.4e-10, up to a population of 45,000 genes; the error is
that of `betaln` for large arguments).
"""

from __future__ import annotations

import numpy as np
from scipy.special import betaln

_NEGLIGIBLE = 1e-18  # a term this small relative to the running sum no longer changes a float64 sum


def _log_choose(n: np.ndarray, k: np.ndarray) -> np.ndarray:
    return -np.log1p(n) - betaln(n - k + 1, k + 1)


def _log_pmf(k: np.ndarray, population: float, successes: np.ndarray, draws: float) -> np.ndarray:
    return (_log_choose(successes, k) + _log_choose(population - successes, draws - k)
            - _log_choose(np.float64(population), np.float64(draws)))


def hypergeom_sf(overlap, population: int, set_sizes, draws: int) -> np.ndarray:
    """P(X >= overlap) for X ~ Hypergeometric(population, set_sizes, draws), element-wise over the arrays.

    Same as `scipy.stats.hypergeom.sf(overlap - 1, population, set_sizes, draws)`.
    """
    shape = np.broadcast(np.asarray(overlap), np.asarray(set_sizes)).shape
    x, m = (a.astype(np.float64).ravel() for a in np.broadcast_arrays(overlap, set_sizes))
    big_n, n = float(population), float(draws)
    low = np.maximum(0.0, n + m - big_n)
    high = np.minimum(m, n)
    mode = np.floor((n + 1) * (m + 1) / (big_n + 2))
    p = np.where(x <= low, 1.0, 0.0)
    upper = np.flatnonzero((x > low) & (x <= high) & (x > mode))
    lower = np.flatnonzero((x > low) & (x <= high) & (x <= mode))
    if upper.size:
        p[upper] = _upper_tail(x[upper], big_n, m[upper], n, high[upper])
    if lower.size:
        p[lower] = 1.0 - _lower_tail(x[lower] - 1, big_n, m[lower], n, low[lower])
    return np.clip(p, 0.0, 1.0).reshape(shape)


def _upper_tail(x: np.ndarray, big_n: float, m: np.ndarray, n: float, high: np.ndarray) -> np.ndarray:
    """sum_{i=x}^{high} pmf(i), with x above the mode (terms decrease)."""
    term = np.ones_like(x)
    total = np.ones_like(x)
    i = x.copy()
    active = np.flatnonzero(i < high)
    while active.size:
        ia, ma = i[active], m[active]
        term[active] *= (ma - ia) * (n - ia) / ((ia + 1) * (big_n - ma - n + ia + 1))
        total[active] += term[active]
        i[active] += 1
        keep = (i[active] < high[active]) & (term[active] > _NEGLIGIBLE * total[active])
        active = active[keep]
    return np.exp(_log_pmf(x, big_n, m, n)) * total


def _lower_tail(x: np.ndarray, big_n: float, m: np.ndarray, n: float, low: np.ndarray) -> np.ndarray:
    """sum_{i=low}^{x} pmf(i), with x below the mode (terms decrease going down)."""
    term = np.ones_like(x)
    total = np.ones_like(x)
    i = x.copy()
    active = np.flatnonzero(i > low)
    while active.size:
        ia, ma = i[active], m[active]
        term[active] *= ia * (big_n - ma - n + ia) / ((ma - ia + 1) * (n - ia + 1))
        total[active] += term[active]
        i[active] -= 1
        keep = (i[active] > low[active]) & (term[active] > _NEGLIGIBLE * total[active])
        active = active[keep]
    return np.exp(_log_pmf(x, big_n, m, n)) * total


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (step-up, monotone, capped at 1)."""
    p_values = np.asarray(p_values, dtype=float)
    n = len(p_values)
    if n == 0:
        return p_values.copy()
    order = np.argsort(p_values, kind="mergesort")
    ranked = p_values[order] * n / np.arange(1, n + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1].clip(max=1.0)
    out = np.empty(n)
    out[order] = adjusted
    return out
