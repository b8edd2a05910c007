"""`python -m benchmarks.sporadic_calibration [N] [setting=value ...]`: coverage of the
sporadic classes' quantiles of 28-day totals on N windows cut from the M5 subset's train
file (default 40: the 28 days ending 0, 28, ... days before its end), read exactly as
the backtest reads them (`forecasting.sporadic.sporadic_windows`) but without fitting any
model: a sporadic quantile depends on the history alone, so 40 windows take seconds.

Per class it prints the mean coverage at 0.8 / 0.9 / 0.95 over the windows, its spread
from one window to the next, the share of windows where all three levels are within
4 points (issue 22 point 5's tolerance for the M5 test window), and beside it the
share a perfectly calibrated forecaster would reach with as many series
(`benchmarks.coverage_chance`). The official test part
(the last 28 days of the history) is never read here; `python -m benchmarks.accuracy
m5 auto` scores it. Settings are forecast settings, e.g.
`sporadic_quantile=negative_binomial` or `interval_level_days=182`.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

from benchmarks.accuracy import DATA, _demand
from benchmarks.coverage_chance import chance_within
from forecasting import ForecastParams
from forecasting.classify import classify
from forecasting.cleansing import cap_spikes
from forecasting.prepare import prepare_series
from forecasting.scoring import QUANTILE_LEVELS, quantile_column
from forecasting.sporadic import SPORADIC_CLASSES, sporadic_windows

HORIZON = 28
LEVELS = (0.8, 0.9, 0.95)
TOLERANCE = 0.04


def windows(params: ForecastParams, count: int) -> pd.DataFrame:
    """One row per sporadic series and window: class, the quantiles and the actual total
    (as sold, spikes included). Window k ends k x 28 days before the train file's end."""
    train = pd.read_csv(DATA / "m5_tiny280" / "m5_tiny280_train.csv.gz", parse_dates=["ds"])
    end = train["ds"].max()
    prepared = prepare_series(
        _demand(train), as_of=(end + pd.Timedelta(days=1)).date(), frequency="D"
    )
    capped = cap_spikes(prepared, params.spike_cap_factor, params.spike_min_sales)
    seen, sold = capped.prepared.series, prepared.series
    parts = []
    for k in range(count):
        cutoff = end - pd.Timedelta(days=HORIZON * (k + 1))
        before = seen.loc[seen["ds"] <= cutoff]
        before = before.assign(unique_id=before["unique_id"].cat.remove_unused_categories())
        classes = classify(before, params)
        window = sold.loc[(sold["ds"] > cutoff) & (sold["ds"] <= cutoff + pd.Timedelta(days=28))]
        actual = window.groupby(window["unique_id"].astype(str), observed=True)["y"].sum()
        frame = pd.DataFrame({
            "unique_id": classes["unique_id"].astype(str), "cutoff": cutoff,
            "demand_class": classes["demand_class"], "window": k,
            **{quantile_column(level): np.nan for level in QUANTILE_LEVELS},
        })  # fmt: skip
        rows = frame["demand_class"].isin(SPORADIC_CLASSES).to_numpy()
        frame = sporadic_windows(frame, rows, capped, params, HORIZON).loc[rows]
        parts.append(frame.assign(actual=actual.reindex(frame["unique_id"]).to_numpy()))
    out = pd.concat(parts, ignore_index=True)
    return out.dropna(subset=[quantile_column(LEVELS[0])])


def summary(frame: pd.DataFrame) -> list[str]:
    """Per class: mean coverage over the windows, its spread, windows within tolerance,
    and the share of windows a perfect forecaster would have within it."""
    lines = [
        f"{'class':<13}{'rows':>6}  mean cov 0.8/0.9/0.95   sd over windows   within 4 pts"
        "  if perfect"
    ]
    for name, part in frame.groupby("demand_class"):
        per_window = pd.DataFrame({
            level: (part["actual"] <= part[quantile_column(level)]).groupby(part["window"]).mean()
            for level in LEVELS
        })  # fmt: skip
        within = (per_window - np.array(LEVELS)).abs().le(TOLERANCE + 1e-9).all(axis=1)
        mean = "/".join(f"{v:.3f}" for v in per_window.mean())
        spread = "/".join(f"{v:.3f}" for v in per_window.std())
        series = round(len(part) / part["window"].nunique())
        perfect = chance_within(series, LEVELS, TOLERANCE)
        lines.append(
            f"{name:<13}{len(part):>6}  {mean:<23}  {spread:<16}  {within.mean():<12.2f}"
            f"  {perfect:.2f}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    settings = dict(a.split("=", 1) for a in args if "=" in a)
    count = next((int(a) for a in args if a.isdigit()), 40)
    params = ForecastParams.model_validate({**settings, "frequency": "D"})
    print(f"== sporadic quantiles, {count} windows of 28 days from the M5 train file; {settings}")
    for line in summary(windows(params, count)):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
