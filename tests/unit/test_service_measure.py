"""Fill-rate stock levels: the loss function against direct sums, and the smallest level
that meets the target (Hypothesis over means, spreads and targets)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from purchasing.service_measure import (
    expected_shortage,
    fill_rate_level,
    fill_rate_of,
    normal_loss,
)


def direct_loss(level: int, pmf: np.ndarray) -> float:
    k = np.arange(pmf.size)
    return float((np.maximum(k - level, 0) * pmf).sum())


@pytest.mark.parametrize(
    ("mean", "variance", "level"),
    [(0.8, 0.8, 0), (0.8, 0.8, 2), (3.0, 3.0, 5), (2.0, 9.0, 0), (2.0, 9.0, 4), (12.0, 40.0, 20)],
)
def test_count_loss_matches_the_direct_sum(mean: float, variance: float, level: int) -> None:
    k = np.arange(2000)
    if variance > mean:
        pmf = stats.nbinom.pmf(k, mean * mean / (variance - mean), mean / variance)
    else:
        pmf = stats.poisson.pmf(k, mean)
    got = expected_shortage(np.array([level]), np.array([mean]), np.sqrt([variance]),
                            np.array([True]))  # fmt: skip
    assert got[0] == pytest.approx(direct_loss(level, pmf), abs=1e-9)


def test_normal_loss_table() -> None:
    # Textbook values of G(z) (e.g. Silver, Pyke & Peterson, table B.1)
    assert normal_loss(np.array([0.0, 1.0, 2.0])) == pytest.approx(
        [0.3989, 0.0833, 0.00849], abs=1e-4
    )
    # and the normal shortage is sigma x G(z)
    short = expected_shortage(
        np.array([110.0]), np.array([100.0]), np.array([10.0]), np.array([False])
    )
    assert short[0] == pytest.approx(10 * 0.0833, abs=1e-3)


demand = st.tuples(
    st.floats(0.05, 400.0),  # mean over the protection interval
    st.floats(0.1, 3.0),  # coefficient of variation
    st.floats(0.05, 1.0),  # review share of the protection interval (lead time may be 0)
    st.floats(0.5, 0.995),  # fill-rate target
    st.booleans(),  # count-like
)


@settings(max_examples=150, deadline=None)
@given(demand)
def test_the_level_is_the_smallest_that_meets_the_target(case: tuple) -> None:
    mean, cv, share, target, count = case
    m, s, cyc, c = (np.array([mean]), np.array([mean * cv]), np.array([share]), np.array([count]))
    level = fill_rate_level(m, s, cyc, np.array([target]), c)
    assert level[0] >= 0
    assert fill_rate_of(level, m, s, cyc, c)[0] >= target - 1e-6
    step = 1.0 if count else max(1e-3 * mean, 1e-4)
    below = level - step
    if below[0] >= 0:
        assert fill_rate_of(below, m, s, cyc, c)[0] < target + 1e-6
    if count:
        assert level[0] == np.floor(level[0])  # whole units


@settings(max_examples=80, deadline=None)
@given(demand, st.floats(0.0, 0.2))
def test_a_higher_target_never_needs_less_stock(case: tuple, more: float) -> None:
    mean, cv, share, target, count = case
    args = (np.array([mean]), np.array([mean * cv]), np.array([share]))
    low = fill_rate_level(*args, np.array([target]), np.array([count]))
    high = fill_rate_level(*args, np.array([min(target + more, 0.999)]), np.array([count]))
    assert high[0] >= low[0] - 1e-6


def test_a_lumpy_item_at_its_95_percent_quantile_serves_far_less_than_95_percent() -> None:
    # 0.6 units expected over lead time + review (a third of it the review), lumpy: the
    # 95% quantile (cycle service level) is 3 units, yet when a stock-out comes it is a
    # big one, so only about 73% of the units asked for are served from the shelf.
    mean, std, share, lumpy = np.array([0.6]), np.array([1.5]), np.array([1 / 3]), np.array([True])
    quantile = stats.nbinom.ppf(0.95, 0.36 / (2.25 - 0.6), 0.6 / 2.25)
    assert quantile == 3
    assert fill_rate_of(np.array([quantile]), mean, std, share, lumpy)[0] == pytest.approx(
        0.732, abs=1e-3
    )
    level = fill_rate_level(mean, std, share, np.array([0.95]), lumpy)
    assert level[0] == 8
    assert fill_rate_of(level, mean, std, share, lumpy)[0] >= 0.95


def test_no_demand_needs_no_stock_and_no_spread_needs_the_mean() -> None:
    level = fill_rate_level(
        np.array([0.0, 20.0]), np.array([0.0, 0.0]), np.array([0.25, 0.25]),
        np.array([0.95, 0.95]), np.array([True, False]),
    )  # fmt: skip
    assert level.tolist() == [0.0, 20.0]


def test_with_lost_sales_the_level_leaves_out_what_the_lead_time_loses() -> None:
    """A lost sale does not eat into the next delivery: the fill-rate level is lowered by
    (1 - target) x the lead time's expected demand, in whole units for counts, and never
    below zero. Lead time 10 of a 20-day interval with mean 40: 0.05 x 20 = 1 unit."""
    from purchasing.service_measure import fill_rate_target

    args = (np.array([40.0]), np.array([12.0]), np.array([0.5]), np.array([0.95]))
    owed = fill_rate_target(*args, np.array([True]), 0.995)
    lost = fill_rate_target(*args, np.array([True]), 0.995, lost_sales=True)
    assert lost[0] == owed[0] - 1
    nothing = (np.array([0.0]), np.array([0.0]), np.array([0.5]), np.array([0.95]))
    assert fill_rate_target(*nothing, np.array([True]), 0.995, lost_sales=True)[0] == 0.0
