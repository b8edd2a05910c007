"""Sporadic items: demand over the protection interval read from the item's own interval
totals, one-off bulk orders left out, and quantities a buyer would sign."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from forecasting import ForecastParams, forecast_demand
from forecasting.interval_totals import interval_totals
from forecasting.sporadic import OWN_TOTALS
from forecasting.uncertainty import protection_quantile
from purchasing import PolicyParams, plan_lines

AS_OF = date(2024, 1, 5)
DAYS = pd.date_range("2022-01-06", "2024-01-04", freq="D")  # 729 days before the run


def test_interval_totals_hand_checked() -> None:
    """Sums over every window of P consecutive periods; a fractional P interpolates."""
    y = np.array([1.0, 2, 3, 4, 5])
    codes = np.zeros(5, dtype=np.int64)
    two = interval_totals(y, codes, 1, np.array([2.0]), recent=5)
    assert (two.mean[0], two.variance[0]) == pytest.approx((6.0, 5.0))  # 3, 5, 7, 9
    half = interval_totals(y, codes, 1, np.array([2.5]), recent=5)
    assert (half.mean[0], half.variance[0]) == pytest.approx((7.5, 5.5))  # with 6, 9, 12
    recent = interval_totals(y, codes, 1, np.array([2.0]), recent=4)
    assert (recent.mean[0], recent.variance[0]) == pytest.approx((7.0, 8 / 3))  # 5, 7, 9
    assert recent.intervals[0] == pytest.approx(2.0)


def test_interval_totals_per_series_and_only_the_wanted_ones() -> None:
    y = np.array([1.0, 1, 1, 1, 0, 4, 0, 4, 9])
    codes = np.array([0, 0, 0, 0, 1, 1, 1, 1, 2])
    totals = interval_totals(y, codes, 3, np.array([2.0, 2.0, 2.0]), recent=10)
    assert totals.mean[:2] == pytest.approx([2.0, 4.0])
    assert totals.variance[:2] == pytest.approx([0.0, 0.0])
    assert np.isnan(totals.mean[2])  # one period: no window of two
    assert not totals.trusted()[2]
    only = interval_totals(y, codes, 3, np.array([2.0, 2.0, 2.0]), 10, np.array([0, 1, 0], bool))
    assert np.isnan(only.mean[0])
    assert only.mean[1] == pytest.approx(4.0)


def _items(lead: float, review: float, level: float) -> pd.DataFrame:
    return pd.DataFrame(
        {"sku": ["A"], "location": ["WH1"], "supplier_id": ["S1"], "unit_cost": [10.0],
         "pack_size": [1], "moq": [0.0], "lead_time_days": [lead],
         "review_period_days": [review], "service_level": [level], "max_order_qty": [np.nan],
         "active": [True], "category": [""]}
    )  # fmt: skip


def _forecast(quantity: np.ndarray, level: float = 0.98) -> pd.DataFrame:
    demand = pd.DataFrame({"sku": "A", "location": "WH1", "date": DAYS, "quantity": quantity})
    result = forecast_demand(demand, _items(10, 7, level), as_of=AS_OF, params=ForecastParams())
    return result.summary


def test_a_bulk_order_stays_out_of_the_spread_as_well_as_out_of_the_mean() -> None:
    """0-3 units on two days in five, and one 580-unit bulk order: 17 days of demand at
    98% stays below 100 units (before, the spike set a spread of hundreds)."""
    rng = np.random.default_rng(7)
    quantity = np.where(rng.random(len(DAYS)) < 0.4, rng.integers(1, 4, len(DAYS)), 0)
    quantity = quantity.astype(float)
    quantity[-200] = 580.0
    row = _forecast(quantity).iloc[0]
    assert row["demand_class"] in ("intermittent", "lumpy")
    assert row["spread_basis"] == OWN_TOTALS
    assert row["demand_quantile"] < 100
    assert row["precedent"] >= 580  # the buyer's precedent is what was sold, spike included


def test_a_lumpy_item_whose_totals_never_passed_60_is_not_given_a_target_of_thousands() -> None:
    rng = np.random.default_rng(3)
    sells = rng.random(len(DAYS)) < 0.05
    quantity = np.where(sells, np.ceil(rng.lognormal(np.log(8), 1.0, len(DAYS))), 0.0)
    largest = np.convolve(quantity, np.ones(17), mode="valid").max()
    quantity = np.floor(quantity * 60 / largest)  # no 17 days ever sold more than 60
    assert np.convolve(quantity, np.ones(17), mode="valid").max() <= 60
    summary = _forecast(quantity)
    empty = pd.DataFrame(columns=["sku", "location", "on_hand"])
    open_orders = pd.DataFrame(columns=["order_ref", "sku", "location", "quantity", "due_date"])
    lines = plan_lines(
        summary, _items(10, 7, 0.98), empty, open_orders, as_of=AS_OF, params=PolicyParams()
    )
    assert summary.iloc[0]["demand_class"] == "lumpy"
    assert summary.iloc[0]["precedent"] <= 60
    assert lines.iloc[0]["target"] <= 2 * 60  # a 98% fill rate reaches past the largest seen
    # The buyer reads where the spread came from.
    assert "read from its own 17-day totals" in lines.iloc[0]["explanation"]
    # and the largest demand the item ever had over as many days, to compare the target with
    largest_said = (
        f"Its largest 17-day demand so far was {int(summary.iloc[0]['precedent'])} units."
    )
    assert largest_said in lines.iloc[0]["explanation"]


@given(
    mean=st.floats(0.0, 500.0),
    std=st.floats(0.0, 800.0),
    low=st.floats(0.01, 0.99),
    high=st.floats(0.01, 0.99),
    count_like=st.booleans(),
)
def test_the_quantile_is_monotone_in_the_service_level(
    mean: float, std: float, low: float, high: float, count_like: bool
) -> None:
    low, high = sorted((low, high))
    quantiles = protection_quantile(
        np.array([mean, mean]), np.array([std, std]), np.array([low, high]),
        np.array([count_like, count_like]),
    )  # fmt: skip
    assert quantiles[0] <= quantiles[1] + 1e-9


def test_a_short_history_is_widened_by_its_class_dispersion() -> None:
    """With too few intervals of its own (a 67-day interval, 90 days of history), a
    sporadic item keeps the model's mean, its spread widened by how much more the totals
    of its class's longer series varied than independent days would."""
    rng = np.random.default_rng(11)
    # Bursty: weeks of sales and quiet months, so totals vary far more than P x sigma^2.
    season = np.repeat(rng.random(len(DAYS) // 30 + 1) < 0.3, 30)[: len(DAYS)]
    bursty = np.where(season & (rng.random(len(DAYS)) < 0.5), rng.integers(1, 6, len(DAYS)), 0)
    young = np.where(rng.random(len(DAYS)) < 0.3, rng.integers(1, 4, len(DAYS)), 0)
    young[: len(DAYS) - 90] = 0
    demand = pd.concat([
        pd.DataFrame({"sku": sku, "location": "WH1", "date": DAYS, "quantity": q.astype(float)})
        for sku, q in (("OLD", bursty), ("YOUNG", young))
    ])  # fmt: skip
    items = pd.concat([_items(60, 7, 0.95).assign(sku=sku) for sku in ("OLD", "YOUNG")])
    summary = forecast_demand(demand, items, as_of=AS_OF, params=ForecastParams()).summary
    model = forecast_demand(
        demand, items, as_of=AS_OF, params=ForecastParams(sporadic_demand="model")
    ).summary
    old, young_row = summary.set_index("sku").loc["OLD"], summary.set_index("sku").loc["YOUNG"]
    assert old["spread_basis"] == OWN_TOTALS
    assert young_row["demand_class"] == "intermittent"
    assert young_row["spread_basis"] == "class dispersion"
    before = model.set_index("sku").loc["YOUNG"]
    assert young_row["demand_mean"] == pytest.approx(before["demand_mean"])
    assert young_row["demand_std"] > before["demand_std"]
