"""Forecasting core: classification, preparation, and the forecast's promises to purchasing."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from statsforecast.models import AutoETS

from forecasting import ForecastParams, classify, forecast_demand, prepare_series
from forecasting import engine as engine_module
from forecasting.engine import (
    PATH_COLUMNS,
    SUMMARY_COLUMNS,
    Candidate,
    protection_demand_std,
    protection_quantile,
)
from forecasting.params import Frequency

START = pd.Timestamp("2024-01-01")
DAILY = ForecastParams(frequency="D", min_history_periods=56, dormant_periods=91)


def demand_frame(
    series: dict[tuple[str, str], np.ndarray], start: pd.Timestamp = START
) -> pd.DataFrame:
    """Daily demand rows for {(sku, location): quantities}, zero days left out as in the source."""
    frames = []
    for (sku, location), quantities in series.items():
        quantities = np.asarray(quantities, dtype=float)
        days = np.flatnonzero(quantities != 0)
        frames.append(
            pd.DataFrame(
                {
                    "sku": sku,
                    "location": location,
                    "date": start + pd.to_timedelta(days, unit="D"),
                    "quantity": quantities[days],
                    "channel": "",
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def item_frame(keys: list[tuple[str, str]], **columns: object) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "sku": [k[0] for k in keys],
            "location": [k[1] for k in keys],
            "lead_time_days": 7.0,
            "lead_time_std_days": 0.0,
            "review_period_days": np.nan,
            "service_level": np.nan,
            "category": "c",
            "active": True,
        }
    )
    for name, value in columns.items():
        frame[name] = value
    return frame


def long_frame(series: dict[str, list[float]]) -> pd.DataFrame:
    return pd.concat(
        [
            pd.DataFrame({"unique_id": name, "ds": pd.date_range(START, periods=len(y)), "y": y})
            for name, y in series.items()
        ],
        ignore_index=True,
    )


CLASS_CASES = {
    "constant": ([5.0] * 120, "smooth"),
    "every_fifth": ([4.0, 0, 0, 0, 0] * 24, "intermittent"),
    "sparse_variable": ([1.0, 0, 0, 0, 30.0, 0, 0, 0] * 15, "lumpy"),
    "variable_every_period": ([1.0, 20.0] * 60, "erratic"),
    "three_periods": ([2.0, 3.0, 1.0], "new"),
    "silent_lately": ([5.0] * 100 + [0.0] * 100, "dormant"),
    "leading_zeros_then_short": ([0.0] * 200 + [3.0] * 10, "new"),
}


@pytest.mark.parametrize("name", list(CLASS_CASES))
def test_classify_known_patterns(name: str) -> None:
    classes = classify(long_frame({n: y for n, (y, _) in CLASS_CASES.items()}), DAILY)
    got = classes.set_index("unique_id")["demand_class"]
    assert got[name] == CLASS_CASES[name][1]


def test_classify_measures() -> None:
    classes = classify(long_frame({"s": [4.0, 0, 0, 0, 0] * 24, "e": [1.0, 20.0] * 60}), DAILY)
    row = classes.set_index("unique_id")
    assert row.loc["s", "adi"] == pytest.approx(5.0)
    assert row.loc["s", "cv2"] == pytest.approx(0.0)
    assert row.loc["s", "periods_since_demand"] == 4
    assert row.loc["e", "cv2"] == pytest.approx((9.5 / 10.5) ** 2)
    assert row.loc["e", "history_mean"] == pytest.approx(10.5)


def _two_series_demand() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sku": ["A", "A", "A", "A", "B", "A", "A"],
            "location": ["L1"] * 7,
            "date": pd.to_datetime(
                [
                    "2024-01-01",  # Monday, two channels on one day
                    "2024-01-01",
                    "2024-01-07",  # Sunday: same week
                    "2024-01-22",
                    "2024-01-30",
                    "2024-02-01",  # the run's own day: not history yet
                    "2024-01-10",
                ]
            ),
            "quantity": [1.0, 2.0, 3.0, 4.0, 5.0, 100.0, np.nan],
            "channel": ["pos", "web", "pos", "pos", "pos", "pos", "pos"],
        }
    )


def test_prepare_weekly_aggregates_and_zero_fills() -> None:
    prepared = prepare_series(_two_series_demand(), as_of=date(2024, 2, 1), frequency="W")
    series = prepared.series
    a = series[series["unique_id"] == "A|L1"]
    assert a["y"].tolist() == [6.0, 0.0, 0.0, 4.0]  # last complete week ends Sun 28 Jan
    assert a["ds"].dt.day_name().eq("Monday").all()
    assert "B|L1" not in set(series["unique_id"])  # its only week is not complete
    assert series["y"].dtype == np.float32
    assert isinstance(series["unique_id"].dtype, pd.CategoricalDtype)
    assert prepared.ids[["sku", "location"]].values.tolist() == [["A", "L1"]]


def test_prepare_monthly_and_daily() -> None:
    monthly = prepare_series(_two_series_demand(), as_of=date(2024, 2, 1), frequency="M")
    assert monthly.series.groupby("unique_id", observed=True)["y"].sum().to_dict() == {
        "A|L1": 10.0,
        "B|L1": 5.0,
    }
    assert monthly.series["ds"].eq(pd.Timestamp("2024-01-01")).all()
    daily = prepare_series(_two_series_demand(), as_of=date(2024, 2, 1), frequency="D")
    a = daily.series[daily.series["unique_id"] == "A|L1"]
    assert len(a) == 31
    assert a["y"].sum() == 10.0
    assert a["ds"].diff().dropna().eq(pd.Timedelta(days=1)).all()
    b = daily.series[daily.series["unique_id"] == "B|L1"]
    assert b["ds"].tolist() == [pd.Timestamp("2024-01-30"), pd.Timestamp("2024-01-31")]


def test_prepare_with_no_complete_period_is_empty() -> None:
    prepared = prepare_series(_two_series_demand(), as_of=date(2024, 1, 31), frequency="M")
    assert prepared.series.empty
    assert prepared.ids.empty


def _forecast(demand: pd.DataFrame, items: pd.DataFrame, **params: object) -> pd.DataFrame:
    settings = ForecastParams(**{**DAILY.model_dump(), **params})
    as_of = date(2025, 2, 4)  # START + 400 days: the history ends the day before
    return forecast_demand(demand, items, as_of=as_of, params=settings).summary


def test_every_active_item_gets_a_row() -> None:
    rng = np.random.default_rng(0)
    a_history = np.r_[3, rng.poisson(3, 399)]
    demand = demand_frame({("A", "L1"): a_history, ("B", "L1"): rng.poisson(3, 400)})
    items = item_frame(
        [("A", "L1"), ("B", "L1"), ("N", "L1"), ("N", "L2"), ("X", "L1"), ("A", "L1")],
        active=[True, False, True, True, True, True],
        category=["c", "c", "c", "c", "", "c"],
    )
    result = forecast_demand(demand, items, as_of=date(2025, 2, 4), params=DAILY)
    summary = result.summary.set_index(["sku", "location"])
    assert list(result.summary.columns) == SUMMARY_COLUMNS
    assert list(result.path.columns) == PATH_COLUMNS
    assert set(summary.index) == {("A", "L1"), ("N", "L1"), ("N", "L2"), ("X", "L1")}
    assert summary.loc[("N", "L1"), "model"] == "new:category_location_profile"
    assert summary.loc[("N", "L2"), "model"] == "new:category_profile"
    assert summary.loc[("X", "L1"), "model"] == "new:no_history"
    # The only active peer with history is A (B is inactive): both profiles are its mean.
    assert summary.loc[("N", "L1"), "mean_per_period"] == pytest.approx(a_history.mean())
    assert summary.loc[("N", "L2"), "mean_per_period"] == pytest.approx(a_history.mean())
    assert summary.loc[("X", "L1"), "demand_quantile"] == 0.0
    assert (result.path.groupby(["sku", "location"]).size() == 14).all()


def test_constant_series_mean_is_level_times_protection() -> None:
    demand = demand_frame({("A", "L1"): np.full(400, 10.0)})
    summary = _forecast(demand, item_frame([("A", "L1")], review_period_days=3.5)).iloc[0]
    assert summary["demand_class"] == "smooth"
    assert summary["protection_periods"] == pytest.approx(10.5)
    assert summary["demand_mean"] == pytest.approx(105.0, rel=1e-3)
    assert summary["demand_std"] < 1.0
    assert summary["demand_quantile"] == pytest.approx(105.0, rel=1e-2)


@pytest.mark.parametrize("rate", [0.3, 6.0])  # intermittent (count) and smooth (normal)
def test_quantile_rises_with_service_level_and_covers_the_mean(rate: float) -> None:
    levels = [0.51, 0.6, 0.8, 0.9, 0.95, 0.99, 0.999]
    history = np.random.default_rng(1).poisson(rate, 400)
    demand = demand_frame({("A", f"L{i}"): history for i in range(len(levels))})
    items = item_frame([("A", f"L{i}") for i in range(len(levels))], service_level=levels)
    summary = _forecast(demand, items)
    quantiles = summary["demand_quantile"].to_numpy()
    assert np.all(np.diff(quantiles) >= 0)
    assert quantiles[-1] > quantiles[0]
    assert np.all(quantiles >= summary["demand_mean"].to_numpy() - 1e-9)


def test_bad_numbers_do_not_crash_or_go_negative() -> None:
    rng = np.random.default_rng(2)
    demand = demand_frame(
        {("A", "L1"): rng.poisson(2, 400) * 1e12, ("B", "L1"): rng.poisson(0.2, 400) * 1e12}
    )
    demand.loc[::7, "quantity"] = np.nan
    demand.loc[1::11, "quantity"] = np.inf
    demand.loc[2::13, "quantity"] = -5.0
    items = item_frame(
        [("A", "L1"), ("B", "L1"), ("C", "L1")],
        lead_time_days=[np.nan, 1e9, 3.0],
        lead_time_std_days=[np.nan, 1e6, 1.0],
        service_level=[1.0, 0.0, np.nan],
    )
    summary = _forecast(demand, items)
    numbers = summary[["demand_mean", "demand_std", "demand_quantile"]].to_numpy()
    assert np.isfinite(numbers).all()
    assert (numbers >= 0).all()


def test_dormant_item_forecasts_a_small_level() -> None:
    demand = demand_frame({("A", "L1"): np.r_[np.full(250, 4.0), np.zeros(150)]})
    summary = _forecast(demand, item_frame([("A", "L1")])).iloc[0]
    assert summary["demand_class"] == "dormant"
    assert summary["model"] == "dormant:decayed_level"
    assert 0 < summary["mean_per_period"] < 4.0 * 0.5


def test_a_failing_model_falls_back_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    # Multiplicative-error ETS refuses series containing zeros: a real failure.
    failing = Candidate("AutoETS(MNN)", lambda: AutoETS(model="MNN"), 1)
    chains = {"continuous": (failing,), "sporadic": (failing,)}
    monkeypatch.setattr(engine_module, "candidate_chains", lambda frequency: chains)
    history = np.random.default_rng(3).poisson(5, 400).astype(float)
    history[::3] = 0.0  # history starts at day 1, the first sale
    demand = demand_frame({("A", "L1"): history, ("B", "L1"): np.full(400, 3.0)})
    items = item_frame([("A", "L1"), ("B", "L1")])
    # A sold on two days in three (intermittent): read from the model's fallback here, not
    # from its own interval totals (tests/unit/test_sporadic_demand.py), to see the fallback.
    summary = _forecast(demand, items, choose_by_backtest=False, sporadic_demand="model").set_index(
        "sku"
    )
    assert summary.loc["A", "model"] == "HistoricAverage"
    assert "AutoETS(MNN) raised" in summary.loc["A", "fallback"]
    assert summary.loc["A", "mean_per_period"] == pytest.approx(history[1:].mean())
    assert summary.loc["B", "fallback"] is None


@pytest.mark.parametrize("frequency", ["W", "M"])
def test_coarser_frequencies_run(frequency: Frequency) -> None:
    rng = np.random.default_rng(4)
    demand = demand_frame({("A", "L1"): rng.poisson(4, 730), ("B", "L1"): rng.poisson(0.1, 730)})
    params = ForecastParams(frequency=frequency)
    items = item_frame([("A", "L1"), ("B", "L1")])
    result = forecast_demand(demand, items, as_of=date(2026, 1, 1), params=params)
    summary = result.summary.set_index("sku")
    expected_periods = 14 / params.days_per_period
    assert summary["protection_periods"].tolist() == pytest.approx([expected_periods] * 2)
    assert summary.loc["A", "demand_mean"] == pytest.approx(4 * 14, rel=0.25)
    assert result.path["ds"].min() > pd.Timestamp("2025-12-01")


def test_protection_std_adds_variances_not_quantiles() -> None:
    std = protection_demand_std(np.array([2.0]), np.array([4.0]), np.array([3.0]), np.array([1.0]))
    assert std[0] == pytest.approx(5.0)  # sqrt(4 * 2² + (3 * 1)²)


def test_count_quantile_is_whole_and_respects_skew() -> None:
    q = protection_quantile(
        mean=np.array([2.0, 2.0, 0.0]),
        std=np.array([np.sqrt(2.0), 3.0, 0.0]),
        service_level=np.array([0.95, 0.95, 0.95]),
        count_like=np.array([True, True, True]),
    )
    assert q.tolist() == [5.0, 8.0, 0.0]  # Poisson(2) and NB(mean 2, var 9) at 95%


def test_quantile_covers_simulated_poisson_demand() -> None:
    """The 90% quantile of 14-day demand should cover about 90% of fresh 14-day totals.

    Band 0.82-0.97: with 272 series and 200 draws each the sampling error is about 1
    point, but the count quantile is a whole number whose CDF overshoots 0.90 at small
    means (pushing coverage up), and each series' rate is estimated from 400 days with
    error (pushing it down). A miss outside the band means a real calibration bug.
    """
    rng = np.random.default_rng(5)
    rates = np.r_[rng.uniform(0.05, 1.0, 260), rng.uniform(4.0, 12.0, 12)]
    keys = [(f"S{i}", "L1") for i in range(len(rates))]
    history = rng.poisson(rates[:, None], (len(rates), 400))
    demand = demand_frame(dict(zip(keys, history, strict=True)))
    summary = _forecast(demand, item_frame(keys, service_level=0.9)).set_index("sku")
    quantiles = summary.loc[[k[0] for k in keys], "demand_quantile"].to_numpy()
    fresh = rng.poisson(14 * rates[:, None], (len(rates), 200))
    coverage = (fresh <= quantiles[:, None]).mean()
    assert 0.82 <= coverage <= 0.97, coverage
    assert set(summary["demand_class"]) >= {"intermittent", "smooth"}


def test_model_calls_report_progress_to_a_listener() -> None:
    """Each model call tells the listener how many series it covered (the flow logs it)."""
    from forecasting import progress

    rng = np.random.default_rng(2)
    keys = [(f"S{i}", "L1") for i in range(5)]
    demand = demand_frame({key: rng.poisson(4, 400) for key in keys})
    heard: list[tuple[str, str, int]] = []
    with progress.listening(lambda stage, model, n: heard.append((stage, model, n))):
        summary = forecast_demand(demand, item_frame(keys), as_of=date(2025, 2, 4), params=DAILY)
    forecast_calls = [n for stage, _, n in heard if stage == "forecast"]
    assert sum(forecast_calls) == len(summary.summary) == 5  # every series exactly once
    assert any(stage == "backtest" for stage, _, _ in heard)
    heard.clear()
    forecast_demand(demand, item_frame(keys), as_of=date(2025, 2, 4), params=DAILY)
    assert heard == []  # outside the block nobody listens


def test_progress_counts_every_item_location_including_rule_forecasts() -> None:
    """The listener hears the catalogue size first, and the forecast calls (models and the
    new-item and dormant rules) add up to it, so "done of total" ends at the total."""
    from forecasting import progress

    rng = np.random.default_rng(5)
    sold = {(f"S{i}", "L1"): rng.poisson(4, 400).astype(float) for i in range(4)}
    dormant = np.zeros(400)
    dormant[:100] = rng.poisson(3, 100)  # sold early, then not for 300 days
    sold[("D1", "L1")] = dormant
    keys = [*sold, ("N1", "L1")]  # N1 never sold: a new item
    heard: list[tuple[str, str, int]] = []
    with progress.listening(lambda stage, model, n: heard.append((stage, model, n))):
        result = forecast_demand(
            demand_frame(sold), item_frame(keys), as_of=date(2025, 2, 4), params=DAILY
        )
    assert heard[0] == ("catalogue", "item-locations", 6)
    forecast_calls = {model: n for stage, model, n in heard if stage == "forecast"}
    assert sum(forecast_calls.values()) == len(result.summary) == 6
    assert forecast_calls["new-item rule"] == 1
    assert forecast_calls["dormant rule"] == 1
