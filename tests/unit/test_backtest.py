"""Backtest: the metric functions on tiny arrays with known answers, and the command."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pytest

from cli.main import main
from forecasting import ForecastParams
from forecasting.backtest import BacktestError, backtest
from forecasting.backtest_report import summarise
from forecasting.metrics import coverage, mase, naive_scales, per_series_mean, rmsse, scaled_bias

SCALE_CASES = {
    # name: (y per series, season, expected MAE scale, expected MSE scale)
    "trend_lag_2": ([1.0, 2.0, 3.0, 4.0], 2, 2.0, 4.0),
    "short_uses_lag_1": ([1.0, 3.0, 2.0], 7, 1.5, 2.5),
    "constant_has_no_scale": ([5.0, 5.0, 5.0], 1, np.nan, np.nan),
    "pure_seasonal_has_no_scale": ([0.0, 3.0, 0.0, 3.0, 0.0, 3.0], 2, np.nan, np.nan),
    "intermittent": ([0.0, 0.0, 4.0, 0.0], 1, 8.0 / 3.0, 32.0 / 3.0),
    "one_point_has_no_scale": ([7.0], 12, np.nan, np.nan),
}


@pytest.mark.parametrize("name", list(SCALE_CASES))
def test_naive_scales_known_answers(name: str) -> None:
    # All cases scored together, with the tested one in the middle: series must not mix.
    cases = list(SCALE_CASES.values())
    position = list(SCALE_CASES).index(name)
    y = np.concatenate([np.asarray(c[0]) for c in cases])
    codes = np.repeat(np.arange(len(cases)), [len(c[0]) for c in cases])
    season = SCALE_CASES[name][1]
    mae, mse = naive_scales(y, codes, len(cases), season)
    np.testing.assert_allclose(
        [mae[position], mse[position]], SCALE_CASES[name][2:], equal_nan=True
    )


ERROR_CASES = {
    # name: (actual, forecast, MAE scale, MSE scale, MASE, RMSSE, bias)
    "perfect": ([1.0, 2.0], [1.0, 2.0], 1.0, 1.0, 0.0, 0.0, 0.0),
    "over_by_two": ([1.0, 1.0], [3.0, 3.0], 2.0, 4.0, 1.0, 1.0, 1.0),
    "under_and_over": ([0.0, 4.0], [2.0, 2.0], 1.0, 1.0, 2.0, 2.0, 0.0),
    "all_zero_on_intermittent": ([0.0, 0.0, 0.0, 6.0], [0.0] * 4, 2.0, 9.0, 0.75, 1.0, -0.75),
    "nan_actual_left_out": ([np.nan, 2.0], [5.0, 3.0], 1.0, 1.0, 1.0, 1.0, 1.0),
    "no_scale": ([1.0, 2.0], [1.0, 1.0], np.nan, np.nan, np.nan, np.nan, np.nan),
}


@pytest.mark.parametrize("name", list(ERROR_CASES))
def test_scaled_errors_known_answers(name: str) -> None:
    actual, forecast, mae_scale, mse_scale, *expected = ERROR_CASES[name]
    a, f = np.asarray(actual), np.asarray(forecast)
    codes = np.zeros(len(a), dtype=np.int64)
    got = [
        mase(a, f, codes, np.array([mae_scale]))[0],
        rmsse(a, f, codes, np.array([mse_scale]))[0],
        scaled_bias(a, f, codes, np.array([mae_scale]))[0],
    ]
    np.testing.assert_allclose(got, expected, equal_nan=True)


def test_per_series_mean_and_coverage() -> None:
    means = per_series_mean(np.array([1.0, 3.0, np.nan, 4.0]), np.array([0, 0, 1, 2]), 4)
    np.testing.assert_allclose(means, [2.0, np.nan, 4.0, np.nan], equal_nan=True)
    totals = np.array([1.0, 5.0, 3.0, np.nan])
    assert coverage(totals, np.array([2.0, 4.0, 3.0, 9.0])) == pytest.approx(2 / 3)
    assert np.isnan(coverage(np.array([np.nan]), np.array([1.0])))


def _monthly_demand(n_series: int, months: int, rng: np.random.Generator) -> pd.DataFrame:
    """Sparse monthly demand: few units a month, most months nothing."""
    rates = rng.uniform(0.2, 0.8, n_series)
    counts = rng.poisson(rates[:, None], (n_series, months))
    series, month = np.nonzero(counts)
    return pd.DataFrame(
        {
            "sku": [f"P{i:04d}" for i in series],
            "location": "WH",
            "date": pd.date_range("2023-11-01", periods=months, freq="MS")[month],
            "quantity": counts[series, month],
        }
    )


@pytest.fixture(scope="module")
def monthly_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder in the data contract with 300 intermittent monthly series (36 months)."""
    folder = tmp_path_factory.mktemp("monthly")
    rng = np.random.default_rng(11)
    demand = _monthly_demand(300, 36, rng)
    skus = [f"P{i:04d}" for i in range(300)]
    items = pd.DataFrame(
        {
            "sku": skus,
            "location": "WH",
            "supplier_id": "S1",
            "unit_cost": 2.5,
            "pack_size": 1,
            "moq": 0,
            "lead_time_days": 30,
        }
    )
    items.to_csv(folder / "items.csv", index=False)
    pd.DataFrame({"supplier_id": ["S1"], "name": ["Spare parts Ltd"]}).to_csv(
        folder / "suppliers.csv", index=False
    )
    demand.assign(date=demand["date"].dt.strftime("%Y-%m-%d")).to_csv(
        folder / "demand_erp.csv", index=False
    )
    pd.DataFrame({"sku": skus, "location": "WH", "on_hand": 1}).to_csv(
        folder / "stock.csv", index=False
    )
    (folder / "monthly.toml").write_text('[forecast]\nfrequency = "M"\n')
    return folder


@pytest.mark.slow  # a backtest of a whole sample folder, through the CLI
def test_backtest_json_on_monthly_intermittent_folder(
    monthly_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["backtest", "--source", str(monthly_folder), "--as-of", "2026-11-02", "--json"]
    code = main([*args, "--config", str(monthly_folder / "monthly.toml")])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    report = json.loads(captured.out)
    assert (report["frequency"], report["horizon"], report["windows"]) == ("M", 6, 3)
    assert report["by_class"]["intermittent"]["series"] >= 200
    for block in [report["overall"], *report["by_class"].values(), report["seasonal_naive"]]:
        assert set(block) >= {"series", "mase", "rmsse", "bias", "coverage"}
        assert list(block["coverage"]) == ["0.5", "0.8", "0.9", "0.95"]
        shares = list(block["coverage"].values())
        assert all(0.0 <= s <= 1.0 for s in shares)
        assert shares == sorted(shares)  # a higher quantile covers at least as much
    assert report["seasonal_naive"]["series"] == report["overall"]["series"]
    # Poisson demand and a Poisson-like quantile: the 90% one should roughly cover 90%.
    assert 0.8 <= report["overall"]["coverage"]["0.9"] <= 0.99


@pytest.mark.slow  # a backtest of a whole sample folder, through the CLI
def test_backtest_table_and_horizon_flags(
    monthly_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(monthly_folder / "monthly.toml")
    args = ["backtest", "--source", str(monthly_folder), "--as-of", "2026-11-02"]
    assert main([*args, "--config", config, "--horizon", "3", "--windows", "2"]) == 0
    out = capsys.readouterr().out
    assert "2 windows of 3 periods (frequency M)" in out
    assert "seasonal naive" in out
    assert "intermittent" in out


@pytest.mark.parametrize(
    "extra",
    [
        ["--source", "/no/such/folder"],
        ["--source", "{folder}", "--horizon", "40", "--windows", "3"],  # longer than history
        ["--source", "{folder}", "--config", "/no/such.toml"],
        ["--source", "{empty}"],  # no items.csv
    ],
)
def test_backtest_errors_are_one_line(
    extra: list[str], monthly_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = ["--config", str(monthly_folder / "monthly.toml")] if "--config" not in extra else []
    args = [a.format(folder=monthly_folder, empty=tmp_path) for a in extra]
    assert main(["backtest", *args, *config, "--as-of", "2026-11-02"]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("replenish: error:")
    assert captured.err.count("\n") == 1
    assert "Traceback" not in captured.err


def test_backtest_scores_a_flat_series_well_and_reports_skill() -> None:
    rng = np.random.default_rng(3)
    days = pd.date_range("2025-01-01", periods=300)
    frames = [
        pd.DataFrame({"sku": f"S{i}", "location": "L", "date": days, "quantity": q})
        for i, q in enumerate(rng.poisson(20, (3, 300)))
    ]
    demand = pd.concat(frames, ignore_index=True)
    items = pd.DataFrame({"sku": ["S0", "S1", "S2"], "location": "L", "lead_time_days": 7.0})
    result = backtest(demand, items, as_of=date(2025, 10, 28), params=ForecastParams())
    report = summarise(result)
    assert report["by_class"]["smooth"]["series"] == 3
    # Noise around a level: a smoothed level beats repeating last week's noise.
    assert report["skill"]["rmsse"] < 1.0
    assert len(result.windows) == 2 * 3 * 3  # two methods, three series, three windows
    with pytest.raises(BacktestError):
        backtest(demand, items, as_of=date(2025, 10, 28), params=ForecastParams(), horizon=200)


@pytest.mark.slow  # a backtest of many series per method
@pytest.mark.parametrize("method", ["parametric", "conformal"])
def test_backtest_coverage_near_nominal_on_poisson_demand(
    method: Literal["parametric", "conformal"],
) -> None:
    """Stationary Poisson demand with a known rate: the backtest's 0.8/0.9/0.95 quantiles
    of 28-day totals should cover about that share of the actual totals.

    150 series x 3 windows = 450 totals: sampling error about 1.5 points at 0.9. The band
    is wider because the count quantile is a whole number (its CDF overshoots the level
    at small means) and each rate is estimated with error from about a year of days.
    """
    rng = np.random.default_rng(21)
    rates = np.r_[rng.uniform(0.1, 0.6, 120), rng.uniform(3.0, 8.0, 30)]
    days = pd.date_range("2025-01-01", periods=450)
    counts = rng.poisson(rates[:, None], (len(rates), len(days)))
    series, day = np.nonzero(counts)
    demand = pd.DataFrame(
        {
            "sku": [f"S{i}" for i in series],
            "location": "L",
            "date": days[day],
            "quantity": counts[series, day].astype(float),
        }
    )
    items = pd.DataFrame({"sku": [f"S{i}" for i in range(len(rates))], "location": "L"})
    params = ForecastParams(sum_quantile=method)
    report = summarise(backtest(demand, items, as_of=date(2026, 3, 27), params=params))
    assert report["overall"]["series"] == len(rates)
    covered = report["overall"]["coverage"]
    assert 0.72 <= covered["0.8"] <= 0.92, covered
    assert 0.83 <= covered["0.9"] <= 0.97, covered
    assert 0.89 <= covered["0.95"] <= 0.995, covered
    assert report["not_scored"] == {}
