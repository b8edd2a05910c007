"""The continuous candidate sets: Theta for weekly and monthly data, MSTL for daily data
with the two years of history it needs, and no candidate able to fail a run."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest
from statsforecast.models import MSTL, HistoricAverage, Theta

from forecasting import ForecastParams, forecast_demand
from forecasting import engine as engine_module
from forecasting import selection as selection_module
from forecasting.candidates import MSTL_MIN_DAYS, selection_candidates, theta_candidate
from forecasting.models import Candidate
from forecasting.params import Frequency

CONTINUOUS_SETS: dict[Frequency, list[str]] = {
    "D": ["SeasonalNaive(7)", "AutoETS(ANA,7)", "MSTL(7,365)"],
    "W": ["SeasonalNaive(52)", "AutoETS(ANN)", "Theta(52)"],
    "M": ["SeasonalNaive(12)", "AutoETS(ANN)", "AutoETS(ANA,12)", "Theta(12)"],
}


@pytest.mark.parametrize("frequency", list(CONTINUOUS_SETS))
def test_continuous_candidates_per_frequency(frequency: Frequency) -> None:
    continuous = selection_candidates(frequency)["continuous"]
    assert [c.name for c in continuous] == CONTINUOUS_SETS[frequency]


@pytest.mark.parametrize("season", [7, 52, 12])
def test_theta_candidate_is_the_standard_theta_method(season: int) -> None:
    # Not among the daily defaults (forecasting/candidates.py has the figures), kept for
    # weekly and monthly data and for comparisons.
    model = theta_candidate(season).build()
    assert isinstance(model, Theta)
    assert model.season_length == season


def test_mstl_has_a_weekly_and_a_yearly_season_and_asks_for_two_years() -> None:
    mstl = selection_candidates("D")["continuous"][-1]
    model = mstl.build()
    assert isinstance(model, MSTL)
    assert model.season_length == [7, 365]
    assert mstl.min_periods == mstl.min_input_size == MSTL_MIN_DAYS == 730
    # Every other candidate keeps the choice's cap on the backtest fits.
    others = selection_candidates("D")["continuous"][:-1]
    assert all(c.min_input_size == 0 for c in others)


AS_OF = date(2026, 11, 25)
PARAMS = ForecastParams(frequency="D")


def _frames(series: dict[str, np.ndarray]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Daily demand ending the day before AS_OF, each series as long as its array."""
    parts = []
    for sku, y in series.items():
        days = pd.Timestamp(AS_OF) - pd.to_timedelta(np.arange(len(y), 0, -1), unit="D")
        parts.append(pd.DataFrame({"sku": sku, "location": "L", "date": days, "quantity": y}))
    demand = pd.concat(parts, ignore_index=True)
    demand = demand.loc[demand["quantity"] != 0]
    items = pd.DataFrame({"sku": list(series), "location": "L", "lead_time_days": 7.0})
    return demand, items


def _weekly_and_yearly(days: int, seed: int) -> np.ndarray:
    """A level of 40 with a weekly rhythm (+-30%) and a yearly wave (+-50%), 3% noise."""
    t = np.arange(days)
    weekly = np.array([1.0, 1.1, 1.2, 1.3, 1.2, 0.7, 0.5])[t % 7]
    yearly = 1.0 + 0.5 * np.sin(2 * np.pi * t / 365.0)
    noise = np.random.default_rng(seed).normal(1.0, 0.03, days)
    return np.round(40.0 * weekly * yearly * noise)


@pytest.fixture(scope="module")
def seasonal_run() -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """One default run on seasonal series of 3 years, 400 days and around MSTL's
    threshold; the backtest's cross-validation calls are recorded (model name, input
    size, series)."""
    calls: list[dict[str, Any]] = []
    real = selection_module.cross_validate

    def recording(frame: pd.DataFrame, model: Any, **kwargs: Any) -> Any:
        calls.append(
            {
                "model": type(model).__name__,
                "input_size": kwargs["input_size"],
                "series": set(frame["unique_id"].astype(str)),
            }
        )
        return real(frame, model, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(selection_module, "cross_validate", recording)
        demand, items = _frames(
            {
                "LONG": _weekly_and_yearly(3 * 365, 1),
                "SHORT": _weekly_and_yearly(400, 2),
                # two years + the choice's two 28-day windows, and a day less
                "EXACT": _weekly_and_yearly(MSTL_MIN_DAYS + 56, 3),
                "DAY_SHORT": _weekly_and_yearly(MSTL_MIN_DAYS + 55, 4),
            }
        )
        summary = forecast_demand(demand, items, as_of=AS_OF, params=PARAMS).summary
    return summary.set_index("sku"), calls


def test_mstl_is_scored_only_where_the_history_holds_two_years(
    seasonal_run: tuple[pd.DataFrame, list[dict[str, Any]]],
) -> None:
    summary, _ = seasonal_run
    long_scores = json.loads(summary.loc["LONG", "candidates"])
    short_scores = json.loads(summary.loc["SHORT", "candidates"])
    assert long_scores["MSTL(7,365)"] is not None
    assert short_scores["MSTL(7,365)"] is None  # 400 days: too short, not a failure
    assert short_scores["AutoETS(ANA,7)"] is not None
    assert json.loads(summary.loc["EXACT", "candidates"])["MSTL(7,365)"] is not None
    assert json.loads(summary.loc["DAY_SHORT", "candidates"])["MSTL(7,365)"] is None


def test_mstl_backtest_fits_see_two_years_and_the_others_one(
    seasonal_run: tuple[pd.DataFrame, list[dict[str, Any]]],
) -> None:
    _, calls = seasonal_run
    mstl = [call for call in calls if call["model"] == "MSTL"]
    assert len(mstl) == 1
    assert mstl[0]["input_size"] == MSTL_MIN_DAYS
    assert mstl[0]["series"] == {"LONG|L", "EXACT|L"}  # the short ones are not even sent
    assert {call["input_size"] for call in calls if call["model"] != "MSTL"} == {365}


def test_weekly_and_yearly_series_gets_a_seasonal_model(
    seasonal_run: tuple[pd.DataFrame, list[dict[str, Any]]],
) -> None:
    summary, _ = seasonal_run
    row = summary.loc["LONG"]
    scores = json.loads(row["candidates"])
    # Only MSTL follows both cycles: on seven noise seeds its RMSSE was 1.01-1.12, about
    # half that of ETS ANA (2.0-2.1, a weekly season with the yearly wave in its level)
    # and of seasonal naive (2.1-2.3).
    assert row["model"] == "MSTL(7,365)"
    assert scores["MSTL(7,365)"] < 0.7 * scores["AutoETS(ANA,7)"]
    assert scores["MSTL(7,365)"] < 0.7 * scores["SeasonalNaive(7)"]


# --- a candidate that cannot run never fails the run ------------------------------------

# Theta refuses three periods or fewer ("tiny datasets"). The real candidate asks for
# ten, so these tests lower that bar to reach the failure on purpose.
TINY_THETA = Candidate("Theta(7)", theta_candidate(7).build, 1)
MEAN = Candidate("HistoricAverage", HistoricAverage, 1)


def test_theta_failing_in_the_backtest_is_scored_null(monkeypatch: pytest.MonkeyPatch) -> None:
    sets = {"continuous": (TINY_THETA, MEAN), "sporadic": (MEAN,)}
    monkeypatch.setattr(engine_module, "selection_candidates", lambda frequency, which="fast": sets)
    rng = np.random.default_rng(5)
    # One seven-day window: the 10-day series leaves Theta 3 periods to fit on.
    params = ForecastParams(min_history_periods=5, selection_windows=1, selection_window_days=7)
    demand, items = _frames(
        {"SHORT": rng.poisson(20, 10).astype(float), "LONG": rng.poisson(20, 200).astype(float)}
    )
    summary = forecast_demand(demand, items, as_of=AS_OF, params=params).summary.set_index("sku")
    assert (summary["demand_class"] == "smooth").all()
    short = json.loads(summary.loc["SHORT", "candidates"])
    assert short["Theta(7)"] is None
    assert short["HistoricAverage"] is not None
    assert summary.loc["SHORT", "model"] == "HistoricAverage"
    assert json.loads(summary.loc["LONG", "candidates"])["Theta(7)"] is not None


def test_theta_failing_in_the_final_fit_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    chains = {"continuous": (TINY_THETA,), "sporadic": (MEAN,)}
    monkeypatch.setattr(engine_module, "candidate_chains", lambda frequency: chains)
    params = ForecastParams(min_history_periods=3, choose_by_backtest=False)
    demand, items = _frames({"TINY": np.array([20.0, 22.0, 21.0])})
    row = forecast_demand(demand, items, as_of=AS_OF, params=params).summary.iloc[0]
    assert row["model"] == "HistoricAverage"
    assert "Theta(7) raised" in row["fallback"]
    assert row["demand_mean"] > 0
