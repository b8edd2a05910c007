"""A sporadic item's protection quantile from its own out-of-sample errors: the level read
at the end of its history plus the quantile of the errors that rule made before."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasting import ForecastParams, forecast_demand
from forecasting.interval_errors import interval_errors

AS_OF = date(2024, 1, 5)
DAYS = pd.date_range("2022-01-06", "2024-01-04", freq="D")


def test_interval_errors_hand_checked() -> None:
    """P = 2, level = 2 x the mean of the 2 periods before each origin.
    Origins t = 2, 3, 4: levels 1, 3, 3 against totals 3, 5, 6: errors 2, 2, 3."""
    y = np.array([1.0, 0, 3, 0, 5, 1])
    codes = np.zeros(6, dtype=np.int64)
    errors = interval_errors(y, codes, 1, np.array([2]), rate=2, span=10)
    assert errors.errors.tolist() == [2.0, 2.0, 3.0]
    assert errors.level[0] == pytest.approx(6.0)  # 2 x (5 + 1) / 2
    assert errors.quantile(np.array([0.2]))[0] == pytest.approx(8.0)
    assert errors.quantile(np.array([0.5]))[0] == pytest.approx(8.0)
    assert errors.quantile(np.array([0.9]))[0] == pytest.approx(9.0)
    last = interval_errors(y, codes, 1, np.array([2]), rate=2, span=1)
    assert last.errors.tolist() == [3.0]  # only the last origin with a whole interval


def test_interval_errors_count_from_the_first_sale_and_only_the_wanted_series() -> None:
    y = np.array([0.0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2])
    codes = np.array([0] * 6 + [1] * 6)
    errors = interval_errors(y, codes, 2, np.array([1, 1]), rate=2, span=10)
    # Series 0 sells from its 4th period: origin 5 (level 1, next 1) only; series 1 has
    # origins 8 to 11, errors 0.5 (level 1.5 before its first 2), 0, 0, 0.
    assert errors.counts().tolist() == [1, 4]
    assert errors.quantile(np.array([0.9, 0.9])).tolist() == [1.0, 2.5]
    assert errors.quantile(np.array([0.75, 0.75])).tolist() == [1.0, 2.0]
    assert not errors.trusted()[0]  # one origin spans less than two intervals
    only = interval_errors(y, codes, 2, np.array([1, 1]), 2, 10, np.array([False, True]))
    assert only.counts().tolist() == [0, 4]
    assert np.isnan(only.quantile(np.array([0.9, 0.9]))[0])


@settings(deadline=None)  # no timing in tests: the machine is shared
@given(
    values=st.lists(st.integers(0, 30), min_size=12, max_size=60),
    low=st.floats(0.0, 1.0),
    high=st.floats(0.0, 1.0),
    periods=st.integers(1, 4),
)
def test_the_own_error_quantile_is_monotone_in_the_level(
    values: list[int], low: float, high: float, periods: int
) -> None:
    y = np.array(values, dtype=float)
    errors = interval_errors(y, np.zeros(len(y), dtype=np.int64), 1, np.array([periods]), 3, 50)
    low, high = sorted((low, high))
    if errors.counts()[0]:
        assert errors.quantile(np.array([low]))[0] <= errors.quantile(np.array([high]))[0]


def _summary(quantity: np.ndarray, lead_std: float = 0.0, **settings: object) -> pd.Series:
    demand = pd.DataFrame({"sku": "A", "location": "WH1", "date": DAYS, "quantity": quantity})
    items = pd.DataFrame(
        {"sku": ["A"], "location": ["WH1"], "supplier_id": ["S1"], "unit_cost": [10.0],
         "pack_size": [1], "moq": [0.0], "lead_time_days": [21.0],
         "review_period_days": [7.0], "service_level": [0.9], "max_order_qty": [np.nan],
         "active": [True], "category": [""], "lead_time_std_days": [lead_std]}
    )  # fmt: skip
    params = ForecastParams.model_validate(settings)
    return forecast_demand(demand, items, as_of=AS_OF, params=params).summary.iloc[0]


def test_a_growing_item_is_read_at_its_recent_level_and_the_fill_rate_inputs_stay() -> None:
    """Sales on one day in five for two years, twice as often in the last quarter: the
    year's totals put the 90% quantile of 28 days near the old level; the own errors read
    it at the recent one. The mean and spread the fill-rate lines use are the totals'
    with either rule, so their orders do not move."""
    rng = np.random.default_rng(5)
    rate = np.where(np.arange(len(DAYS)) >= len(DAYS) - 91, 0.4, 0.2)
    quantity = np.where(rng.random(len(DAYS)) < rate, rng.integers(1, 4, len(DAYS)), 0)
    own = _summary(quantity.astype(float))
    parametric = _summary(quantity.astype(float), sporadic_quantile="negative_binomial")
    assert own["demand_class"] == "intermittent"
    recent_total = 28 * quantity[-91:].mean()
    assert parametric["demand_quantile"] < recent_total < own["demand_quantile"]
    assert own["demand_mean"] == pytest.approx(parametric["demand_mean"])
    assert own["demand_std"] == pytest.approx(parametric["demand_std"])
    assert own["demand_quantile"] == np.ceil(own["demand_quantile"])  # whole units


def test_an_uncertain_lead_time_still_widens_the_own_error_quantile() -> None:
    """The errors are those of totals over a known interval: a lead time that varies by
    a week adds its spread, and the mean the fill rate reads is the same. (The series'
    last four weeks sell about as usual: after a lull the quantile is floored at the
    mean, where no spread shows.)"""
    rng = np.random.default_rng(10)
    quantity = np.where(rng.random(len(DAYS)) < 0.25, rng.integers(1, 4, len(DAYS)), 0)
    known = _summary(quantity.astype(float))
    uncertain = _summary(quantity.astype(float), lead_std=7.0)
    assert known["demand_class"] == "intermittent"
    assert known["demand_quantile"] > known["demand_mean"]
    assert uncertain["demand_quantile"] > known["demand_quantile"]
    assert uncertain["demand_mean"] == pytest.approx(known["demand_mean"])
