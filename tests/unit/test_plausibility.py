"""The plausibility guard: an exploding in-sample fit never yields an impossible line.

Built from a failure seen on real monthly data: a series selling about 800 a month got
`Theta(12)` with an in-sample RMSE in the millions, a 95% quantile of 32.7 million units
and a proposed line worth EUR 340 million that nothing recognised as impossible.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest
from statsforecast.models import Theta

from forecasting import ForecastParams, forecast_demand
from forecasting import engine as engine_module
from forecasting.engine import Candidate
from forecasting.plausibility import implausible, largest_interval_demand, young_item_sales

MONTHLY = ForecastParams(frequency="M", choose_by_backtest=False)


class ExplodingTheta(Theta):
    """Theta whose in-sample fit explodes (errors of millions) while its mean looks sane."""

    def forecast(self, y: np.ndarray, h: int, *args: Any, **kwargs: Any) -> dict[str, Any]:
        result: dict[str, Any] = super().forecast(y, h, *args, **kwargs)
        if "fitted" in result:
            wild = np.where(np.arange(len(y)) % 2 == 0, 3e7, -3e7)
            result["fitted"] = result["fitted"] + wild
        return result


def _monthly_demand(months: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(12)
    dates = pd.date_range("2021-01-01", periods=months, freq="MS")
    frames = [
        pd.DataFrame({"sku": sku, "location": "L1", "date": dates, "quantity": quantities})
        for sku, quantities in (
            ("EXPLODES", rng.normal(800, 60, months).round()),
            ("SANE", rng.normal(800, 60, months).round()),
        )
    ]
    return pd.concat(frames, ignore_index=True).assign(channel="")


def _items() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sku": ["EXPLODES", "SANE"],
            "location": "L1",
            "lead_time_days": 60.0,
            "lead_time_std_days": 0.0,
            "review_period_days": 30.0,
            "service_level": 0.95,
            "category": "c",
            "active": True,
        }
    )


def _chains(exploding_for: str) -> Any:
    exploding = Candidate("Theta(12)", lambda: ExplodingTheta(season_length=12), 10)
    sane = Candidate("Theta(12)", lambda: Theta(season_length=12), 10)
    return lambda frequency: {
        "continuous": (exploding if exploding_for == "all" else sane,),
        "sporadic": (sane,),
    }


def test_exploding_fit_is_replaced_and_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "candidate_chains", _chains("all"))
    result = forecast_demand(_monthly_demand(), _items(), as_of=date(2026, 1, 1), params=MONTHLY)
    summary = result.summary.set_index("sku")
    for sku in ("EXPLODES", "SANE"):
        row = summary.loc[sku]
        # About three months of ~800 a month: nowhere near millions after the guard.
        assert np.isfinite(row["demand_quantile"])
        assert row["demand_quantile"] < 5 * 3 * 1000
        assert row["model"] == "HistoricAverage"
        assert "Theta(12) gave an implausible quantity" in row["implausible"]
        assert row["fallback"] == row["implausible"]
    steps = result.path.groupby("sku")["mean"].max()
    assert steps.max() < 2000


def test_sane_fit_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "candidate_chains", _chains("none"))
    result = forecast_demand(_monthly_demand(), _items(), as_of=date(2026, 1, 1), params=MONTHLY)
    summary = result.summary.set_index("sku")
    assert summary["implausible"].isna().all()
    assert (summary["model"] == "Theta(12)").all()


def test_largest_interval_demand_over_consecutive_periods() -> None:
    ids = pd.Categorical(["a"] * 5 + ["b"] * 2 + ["c"] * 0, categories=["a", "b", "c"])
    series = pd.DataFrame({"unique_id": ids, "y": [1.0, 5.0, 2.0, 0.0, 4.0, 3.0, 1.0]})
    largest = largest_interval_demand(series, 3, np.array([2.0, 3.0, 1.0]))
    # a: best 2-period sum 5+2; b: shorter than 3 periods, its total scaled to 3; c: none.
    assert largest[0] == 7.0
    assert largest[1] == pytest.approx(4.0 * 3 / 2)
    assert np.isnan(largest[2])


def test_a_young_items_precedent_is_read_back_as_what_it_sold() -> None:
    """Only a series shorter than its interval has a scaled precedent; what it really sold
    is read back from it, so a buyer is never told of a sale that did not happen."""
    ids = pd.Categorical(["young"] * 27 + ["old"] * 40, categories=["young", "old"])
    y = np.r_[np.full(27, 197.0 / 27), np.full(40, 5.0)]
    largest = largest_interval_demand(
        pd.DataFrame({"unique_id": ids, "y": y}), 2, np.array([29.0, 29.0])
    )
    assert largest[0] == pytest.approx(197.0 * 29 / 27)
    assert young_item_sales(largest[0], 29.0, 27) == pytest.approx(197.0)
    assert young_item_sales(largest[1], 29.0, 40) is None  # 145 was sold in 29 periods
    assert young_item_sales(100.0, 28.6, 29) is None  # a 29-period window is real
    assert young_item_sales(100.0, 29.0, None) is None


def test_non_finite_or_too_large_quantiles_are_implausible() -> None:
    quantile = np.array([10.0, np.inf, np.nan, 51.0, 49.0, 1e9])
    largest = np.array([10.0, 10.0, 10.0, 10.0, 10.0, np.nan])
    assert implausible(quantile, largest, 5.0).tolist() == [False, True, True, True, False, False]
