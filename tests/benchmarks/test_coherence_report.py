"""benchmarks/coherence.py: the trade-off table it prints is what a cut-off on coherence really reaches."""

from __future__ import annotations

import numpy as np

from tests.benchmarks.scripts import load_script as load_benchmark


def load_script():
    return load_benchmark("coherence")


def test_operating_points_call_the_stated_share_of_real_sets_and_count_the_random_ones_below_the_cut():
    script = load_script()
    real = np.linspace(0.01, 1.0, 100)  # P(real) of 100 real sets: 0.01, 0.02, ...
    random = np.array([0.005, 0.015, 0.025, 0.5])  # the cut at 3 % of real sets is 0.04
    points = script.operating_points(real, random, rates=(0.03,))
    assert (real < 0.04).mean() == 0.03
    assert points == {"0.03": 0.75}


def test_operating_points_are_empty_without_both_versions():
    assert load_script().operating_points(np.array([]), np.array([0.1])) == {}
