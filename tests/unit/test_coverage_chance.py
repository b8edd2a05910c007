"""The yardstick printed beside one window's coverage: how often a perfectly calibrated
forecaster would be within the tolerance, computed exactly."""

from __future__ import annotations

import itertools

import pytest

from benchmarks.coverage_chance import chance_within


def _by_enumeration(n: int, levels: tuple[float, ...], tolerance: float) -> float:
    """Every way n series can fall into the bins the levels cut, weighed by its chance."""
    edges = (0.0, *levels, 1.0)
    bins = [b - a for a, b in itertools.pairwise(edges)]
    total = 0.0
    for ranks in itertools.product(range(len(bins)), repeat=n):
        chance = 1.0
        for rank in ranks:
            chance *= bins[rank]
        covered = [sum(rank <= i for rank in ranks) / n for i in range(len(levels))]
        misses = [abs(c - level) for c, level in zip(covered, levels, strict=True)]
        if max(misses) <= tolerance + 1e-9:
            total += chance
    return total


@pytest.mark.parametrize(
    ("n", "levels", "tolerance"),
    [(6, (0.5, 0.8), 0.1), (8, (0.8, 0.9, 0.95), 0.15), (7, (0.3,), 0.05)],
)
def test_the_chance_is_the_multinomial_one(
    n: int, levels: tuple[float, ...], tolerance: float
) -> None:
    assert chance_within(n, levels, tolerance) == pytest.approx(
        _by_enumeration(n, levels, tolerance), abs=1e-12
    )


def test_one_window_of_a_few_series_is_within_a_few_points_only_by_luck() -> None:
    """Thirty series cannot be within 3 points of 0.8 unless exactly 24 are covered;
    fifty-three series meet 4 points at three levels about one window in three; only
    a catalogue-sized class is within 3 points almost always."""
    levels = (0.8, 0.9, 0.95)
    assert chance_within(30, levels, 0.03) < 0.05
    assert 0.3 < chance_within(53, levels, 0.04) < 0.4
    assert chance_within(1398, levels, 0.03) > 0.99
    assert chance_within(1, levels, 0.04) == 0.0


def test_levels_must_be_ascending_inside_the_unit_interval() -> None:
    with pytest.raises(ValueError, match="ascending"):
        chance_within(10, (0.9, 0.8), 0.04)
    with pytest.raises(ValueError, match="ascending"):
        chance_within(10, (0.8, 1.0), 0.04)
