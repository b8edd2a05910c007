"""One-off spikes are capped before fitting, recorded, and still seen by the buyer."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from forecasting import ForecastParams, forecast_demand, prepare_series
from forecasting.cleansing import cap_spikes

AS_OF = date(2024, 1, 5)
DAYS = pd.date_range("2022-01-06", "2024-01-04", freq="D")  # 729 days before the run


def demand_of(quantity: np.ndarray, sku: str = "A") -> pd.DataFrame:
    return pd.DataFrame({"sku": sku, "location": "WH1", "date": DAYS, "quantity": quantity})


def lumpy(seed: int) -> np.ndarray:
    """Sells on ~6% of days, lumps lognormal around 10 (sigma 1): the sample's lumpy kind."""
    rng = np.random.default_rng(seed)
    sells = rng.random(len(DAYS)) < 0.06
    return np.where(sells, np.ceil(rng.lognormal(np.log(10.0), 1.0, len(DAYS))), 0.0)


@pytest.mark.parametrize(
    ("spike", "capped"),
    [
        (1500.0, True),  # a project order, ~150x a normal lump
        (None, False),  # ordinary lumps, however uneven, are left alone
    ],
)
def test_a_one_off_spike_is_capped_at_twenty_times_the_median_sale(
    spike: float | None, capped: bool
) -> None:
    quantity = lumpy(seed=4)
    if spike is not None:
        quantity[-60] = spike
    prepared = prepare_series(demand_of(quantity), as_of=AS_OF, frequency="D")
    result = cap_spikes(prepared, factor=20.0, min_sales=5)
    median = np.median(quantity[quantity > 0])
    assert result.periods.tolist() == [1 if capped else 0]
    y = result.prepared.series["y"].to_numpy()
    if capped:
        assert result.cap[0] == pytest.approx(20 * median)
        assert y.max() == pytest.approx(20 * median)
    else:
        assert np.isnan(result.cap[0])
        assert y.tolist() == prepared.series["y"].tolist()  # untouched


def test_too_few_sales_or_factor_zero_caps_nothing() -> None:
    quantity = np.zeros(len(DAYS))
    quantity[[-300, -200, -100, -10]] = [1.0, 2.0, 1.0, 900.0]  # four sales: no median
    prepared = prepare_series(demand_of(quantity), as_of=AS_OF, frequency="D")
    assert cap_spikes(prepared, 20.0, 5).periods.tolist() == [0]
    assert cap_spikes(prepared, 0.0, 1).periods.tolist() == [0]


def test_engine_fits_on_capped_history_records_it_and_keeps_what_was_sold() -> None:
    quantity = lumpy(seed=5)
    quantity[-66] = 1491.0  # the sample data's bulk project order
    items = pd.DataFrame({"sku": ["A"], "location": "WH1", "lead_time_days": 8.0})
    capped = forecast_demand(demand_of(quantity), items, as_of=AS_OF, params=ForecastParams())
    raw = forecast_demand(
        demand_of(quantity), items, as_of=AS_OF, params=ForecastParams(spike_cap_factor=0.0)
    )
    row, before = capped.summary.iloc[0], raw.summary.iloc[0]
    assert row["capped_periods"] == 1
    assert row["demand_cap"] == pytest.approx(20 * np.median(quantity[(quantity > 0)]))
    assert before["capped_periods"] == 0
    assert np.isnan(before["demand_cap"])
    # the spike no longer drives the order: far less demand expected over the interval
    assert row["demand_mean"] < 0.5 * before["demand_mean"]
    # the history kept for the buyer is what was sold, spike included
    assert capped.history["y"].max() == 1491.0


def test_a_recent_spike_is_capped_for_the_model_but_seen_by_the_anomaly_rule() -> None:
    quantity = lumpy(seed=6)
    quantity[-3] = 2000.0  # a bulk buyer three days ago
    items = pd.DataFrame({"sku": ["A"], "location": "WH1", "lead_time_days": 8.0})
    result = forecast_demand(demand_of(quantity), items, as_of=AS_OF, params=ForecastParams())
    row = result.summary.iloc[0]
    assert row["capped_periods"] == 1
    assert row["recent_demand"] == quantity[-28:].sum()  # as sold: the 2,000 is in it
    assert row["recent_demand"] > 2000


def test_the_order_line_says_a_spike_was_capped() -> None:
    from purchasing import plan_lines

    quantity = lumpy(seed=5)
    quantity[-66] = 1491.0
    items = pd.DataFrame(
        {"sku": ["A"], "location": "WH1", "supplier_id": "S1", "unit_cost": 2.0,
         "pack_size": 1, "moq": 0.0, "lead_time_days": 8.0, "lead_time_std_days": 0.0,
         "service_level": np.nan, "review_period_days": 7.0, "max_order_qty": np.nan,
         "category": "", "description": "", "active": True}
    )  # fmt: skip
    result = forecast_demand(demand_of(quantity), items, as_of=AS_OF, params=ForecastParams())
    stock = pd.DataFrame({"sku": ["A"], "location": "WH1", "on_hand": 0.0, "as_of": pd.NaT})
    no_orders = pd.DataFrame(columns=["order_ref", "sku", "location", "quantity", "due_date"])
    lines = plan_lines(result.summary, items, stock, no_orders, as_of=AS_OF)
    cap = result.summary["demand_cap"].iloc[0]
    assert (
        f"1 period(s) of unusually large demand (a project or bulk order) were counted as {cap:g}"
        in (lines["explanation"].iloc[0])
    )
