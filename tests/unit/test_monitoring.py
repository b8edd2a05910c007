"""Forecast monitoring: scores against what happened, drift against each segment's own
baseline."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting.monitoring import DriftRules, drift, drift_headline, score_forecasts

CATEGORIES = {"Tools": "SUP-1", "Paint": "SUP-2", "Garden": "SUP-3"}
DAYS = 120
SHIFT_DAY = 110  # Garden's demand doubles from this day on


def demand(category: str, series: int, rng: np.random.Generator) -> np.ndarray:
    level = 10.0 + series
    weekly = 1.0 + 0.2 * np.sin(np.arange(DAYS) * 2 * np.pi / 7)
    y = level * weekly + rng.normal(0, 1.0, DAYS)
    if category == "Garden":
        y[SHIFT_DAY:] *= 2.0
    return np.clip(y, 0, None)


@pytest.fixture
def night_by_night() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Four series per category; a forecast every night from day 60 (the mean of the last
    28 days with the weekly profile: what a decent model would say), scored later."""
    rng = np.random.default_rng(3)
    forecasts, actuals = [], []
    for category, supplier in CATEGORIES.items():
        for series in range(4):
            sku = f"{category[:3].upper()}-{series}"
            y = demand(category, series, rng)
            actuals.append(
                pd.DataFrame({"sku": sku, "location": "DC", "period": range(DAYS), "y": y})
            )
            for origin in range(60, DAYS):
                last = y[origin - 28 : origin]
                profile = last.reshape(4, 7).mean(axis=0)
                # 28 days are 4 whole weeks: day origin+i has the phase of profile[i % 7].
                path = [float(profile[i % 7]) for i in range(14)]
                forecasts.append(
                    {
                        "origin": origin,
                        "sku": sku,
                        "location": "DC",
                        "demand_class": "smooth",
                        "supplier_id": supplier,
                        "category": category,
                        "path": path,
                        "history": list(y[:origin][-91:]),
                        "demand_quantile": float(sum(path[:7]) * 1.2),
                        "protection_periods": 7.0,
                        "service_level": 0.95,
                    }
                )
    return pd.DataFrame(forecasts), pd.concat(actuals, ignore_index=True)


def test_a_level_shift_in_one_category_raises_drift_for_that_category_only(
    night_by_night: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    forecasts, actuals = night_by_night
    scores = score_forecasts(forecasts, actuals, horizon=7, season=7)
    table = drift(scores, DriftRules(recent_origins=7, baseline_origins=28))
    alerts = table[table["drift"]]
    by_category = alerts[alerts["kind"] == "category"]
    assert list(by_category["segment"]) == ["Garden"]
    assert "category 'Garden'" in by_category["reason"].iloc[0]
    garden = table[(table["kind"] == "category") & (table["segment"] == "Garden")].iloc[0]
    assert garden["bias"] < -0.25  # the forecasts now fall short of demand
    # Garden's supplier drifts with it; the others stay quiet.
    assert set(alerts.loc[alerts["kind"] == "supplier_id", "segment"]) == {"SUP-3"}
    quiet = table[(table["kind"] == "category") & (table["segment"] != "Garden")]
    assert not quiet["drift"].any()


def test_scores_use_only_demand_known_so_far(
    night_by_night: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    forecasts, actuals = night_by_night
    scores = score_forecasts(forecasts, actuals, horizon=7, season=7)
    last = scores[scores["origin"] == DAYS - 1]
    assert (last["periods"] == 1).all()  # only the first day after it has happened
    assert last["covered"].isna().all()  # its protection interval is not over yet
    full = scores[scores["origin"] == 70]
    assert (full["periods"] == 7).all()
    assert full["covered"].notna().all()
    assert (full["mase"] > 0).all()
    assert (full["rmsse"] > 0).all()


def test_nothing_known_yet_scores_nothing() -> None:
    forecasts = pd.DataFrame(
        [
            {
                "origin": 10, "sku": "A", "location": "DC", "demand_class": "smooth",
                "supplier_id": "S", "category": "C", "path": [1.0, 1.0], "history": [1.0] * 10,
                "demand_quantile": 3.0, "protection_periods": 2.0, "service_level": 0.9,
            }
        ]
    )  # fmt: skip
    actuals = pd.DataFrame({"sku": ["A"], "location": ["DC"], "period": [9], "y": [1.0]})
    assert score_forecasts(forecasts, actuals, horizon=7, season=7).empty
    assert drift(score_forecasts(forecasts, actuals, 7, 7), DriftRules()).empty


def test_the_report_says_nothing_was_scored_rather_than_no_drift(
    night_by_night: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    forecasts, actuals = night_by_night
    nothing = drift(score_forecasts(forecasts, actuals.iloc[:0], 7, 7), DriftRules())
    assert drift_headline(nothing).startswith("Nothing scored yet")
    scores = score_forecasts(forecasts, actuals, horizon=7, season=7)
    young = drift(scores[scores["origin"] >= DAYS - 7], DriftRules(recent_origins=7))
    assert "none yet against a baseline" in drift_headline(young)
    table = drift(scores, DriftRules(recent_origins=7, baseline_origins=28))
    assert "- category 'Garden': RMSSE" in drift_headline(table)
    quiet = drift(scores[scores["origin"] < SHIFT_DAY - 7], DriftRules(recent_origins=7))
    assert drift_headline(quiet) == "No segment drifted."
