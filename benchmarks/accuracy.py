"""`python -m benchmarks accuracy`: our forecasts on two public real sets, beside the
published figures for the same task.

- M3 monthly (1,428 series), h = 18, the official test part. Every series is shifted so
  that its training part ends in December 2020 (a run has one date; M3's series end in
  different years), the test part appended, and `forecasting.backtest` holds out the
  last 18 months (`replenish backtest --horizon 18 --windows 1`, monthly).
  Published (fev, statsforecast): seasonal naive 1.1462, AutoARIMA 0.8755, AutoETS
  0.8634, AutoTheta 0.8547 MASE.
- M5 subset (280 item-store series, daily), its test part: the last 28 real days of the
  history (d_1886-1913; the organisers' earlier "validation" file was a dummy, see the
  data's README).
  The organisers' SES and moving-average benchmarks are recomputed here exactly as the
  scripts beside the data do (trimmed leading zeros, the same grids) and scored the
  same way as ours: RMSSE with the lag-1 naive scale (M5), bias, and a quantile loss of
  the 28-day total (their only answer at every level is their point forecast).

The data are read from `../shared/data/` beside the repository; a set that is absent is
skipped with a note. Figures are printed, never asserted. The default candidate set
("auto": on both sets the budget and history choose the full searches) is run against
the fast forms on the same series (`forecast.candidate_set`). Stand-alone, for tuning:
`python -m benchmarks.accuracy m3val 200 auto selection_tie_margin=0.1` (the `...val`
sets hold out the end of the train file instead of the official test part, the
`...val2` and `...val3` sets the horizons before that). Each M5 run first prints a check
of the scored window against the days before it (`benchmarks.m5_reference.window_check`).
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from benchmarks.coverage_chance import chance_within
from benchmarks.harness import Options, Report, progress
from benchmarks.m5_reference import (
    LEVELS,
    m5_benchmarks,
    m5_scales,
    quantile_loss,
    window_check,
)
from forecasting import ForecastParams
from forecasting.backtest import MODEL, Backtest, backtest

DATA: Final = Path(__file__).resolve().parents[2] / "shared" / "data"
M3_PUBLISHED: Final = {"seasonal naive": 1.1462, "AutoARIMA": 0.8755, "AutoETS": 0.8634,
                       "AutoTheta": 0.8547}  # fmt: skip
M3_END: Final = pd.Timestamp("2020-12-01")
QUICK_M3, QUICK_M5 = 150, 60


def benchmark(options: Options, *, m3_series: int | None = None, m5_series: int | None = None,
              sets: tuple[str, ...] = ("m3", "m5"), variants: tuple[str, ...] = ("auto", "fast"),
              overrides: dict[str, str] | None = None) -> Report:  # fmt: skip
    """Run the chosen sets and candidate variants; print one table per set."""
    report = Report("accuracy", "our forecasts on public real data vs published", "series")
    if options.quick:
        m3_series, m5_series = m3_series or QUICK_M3, m5_series or QUICK_M5
    for name in sets:
        monthly = name.startswith("m3")
        folder = DATA / ("m3_monthly" if monthly else "m5_tiny280")
        if not folder.is_dir():
            report.notes.append(f"{name}: {folder} not found; skipped")
            continue
        runner = _m3 if monthly else _m5
        n = m3_series if monthly else m5_series
        origin = int(name.rsplit("val", 1)[1] or 1) if "val" in name else 0
        for line in runner(folder, n, variants, validation=origin,
                           overrides=overrides or {}):  # fmt: skip
            print(line, flush=True)  # the tables; the report below only adds the run facts
    return report


def _split(
    folder: Path, stem: str, n: int | None, horizon: int, validation: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train and test parts; with `validation` k the test is the `horizon` periods that
    end (k - 1) horizons before the end of the train file (the later ones dropped):
    origins for tuning, while the official test part stays untouched."""
    train = _read(folder / f"{stem}_train.csv.gz", n)
    if validation > 1:
        keep = train.groupby("unique_id").cumcount(ascending=False) >= (validation - 1) * horizon
        train = train.loc[keep].reset_index(drop=True)
    if validation:
        last = train.groupby("unique_id").cumcount(ascending=False) < horizon
        return train.loc[~last].reset_index(drop=True), train.loc[last].reset_index(drop=True)
    test = _read(folder / f"{stem}_test.csv.gz", None)
    return train, test.loc[test["unique_id"].isin(train["unique_id"].unique())]


def _m3(
    folder: Path, n: int | None, variants: tuple[str, ...], *, validation: int,
    overrides: dict[str, str],
) -> list[str]:  # fmt: skip
    train, test = _split(folder, "m3_monthly", n, 18, validation)
    # Shift each series so that its training part ends in December 2020.
    steps = train.groupby("unique_id").cumcount(ascending=False).to_numpy()
    train = train.assign(ds=_months_before(M3_END, steps))
    test = test.assign(
        ds=_months_before(M3_END, -1 - test.groupby("unique_id").cumcount().to_numpy())
    )
    demand = _demand(pd.concat([train, test], ignore_index=True))
    part = _part(validation, 18, "months")
    lines = [f"== M3 monthly, h=18, {part}: {demand['sku'].nunique()} series"]
    lines.append("published MASE: " + ", ".join(f"{k} {v}" for k, v in M3_PUBLISHED.items()))
    for variant in variants:
        params = ForecastParams.model_validate(
            {**overrides, "frequency": "M", "candidate_set": variant}
        )
        result, cpu = _run(demand, date(2022, 7, 1), params, 18)
        lines += _table(f"ours ({variant})", result, cpu, scale_lag=12, tolerance=0.03)
    return lines


def _m5(
    folder: Path, n: int | None, variants: tuple[str, ...], *, validation: int,
    overrides: dict[str, str],
) -> list[str]:  # fmt: skip
    train, test = _split(folder, "m5_tiny280", n, 28, validation)
    demand = _demand(pd.concat([train, test], ignore_index=True))
    as_of = (test["ds"].max() + pd.Timedelta(days=1)).date()
    part = _part(validation, 28, "days")
    lines = [f"== M5 subset, {part}: {demand['sku'].nunique()} series"]
    lines += window_check(train, test)
    lines += m5_benchmarks(train, test)
    for variant in variants:
        params = ForecastParams.model_validate(
            {**overrides, "frequency": "D", "candidate_set": variant}
        )
        result, cpu = _run(demand, as_of, params, 28)
        lines += _table(f"ours ({variant})", result, cpu, scale_lag=1, tolerance=0.04)
    return lines


def _part(validation: int, horizon: int, unit: str) -> str:
    if not validation:
        return "official test part"
    if validation == 1:
        return f"validation (last {horizon} {unit} of train)"
    back = (validation - 1) * horizon
    return f"validation ({horizon} {unit} ending {back} before the end of train)"


def _read(path: Path, n: int | None) -> pd.DataFrame:
    frame = pd.read_csv(path, parse_dates=["ds"]).sort_values(["unique_id", "ds"])
    if n is not None:
        ids = (
            frame["unique_id"]
            .drop_duplicates()
            .sample(min(n, frame["unique_id"].nunique()), random_state=13)
        )
        frame = frame.loc[frame["unique_id"].isin(ids)]
    return frame.reset_index(drop=True)


def _months_before(end: pd.Timestamp, steps: np.ndarray) -> pd.DatetimeIndex:
    period = pd.Period(end, freq="M")
    months = period.ordinal - steps
    return pd.PeriodIndex.from_ordinals(months, freq="M").to_timestamp(how="start")


def _demand(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {"sku": frame["unique_id"], "location": "X", "date": frame["ds"],
         "quantity": frame["y"].astype(float), "channel": ""}
    )  # fmt: skip


def _run(
    demand: pd.DataFrame, as_of: date, params: ForecastParams, horizon: int
) -> tuple[Backtest, float]:
    items = pd.DataFrame({"sku": demand["sku"].unique(), "location": "X", "active": True})
    progress(f"backtest {params.frequency} {params.candidate_set}: {len(items)} series")
    clock = time.process_time()
    result = backtest(demand, items, as_of=as_of, params=params, horizon=horizon, windows=1)
    return result, time.process_time() - clock


def _table(
    label: str, result: Backtest, cpu: float, *, scale_lag: int, tolerance: float
) -> list[str]:
    """Overall and per class: MASE, RMSSE, bias %, coverage of the window totals, and how
    often a perfectly calibrated forecaster would have all three coverages within
    `tolerance` with as many series (`benchmarks.coverage_chance`): one window's
    coverage is a draw, and that is its yardstick."""
    forecasts = result.forecasts.loc[result.forecasts["method"] == MODEL]
    windows = result.windows.loc[result.windows["method"] == MODEL]
    series = result.series.loc[result.series["method"] == MODEL]
    classes = series.set_index("unique_id")["demand_class"]
    rmsse = _rmsse(result, forecasts, scale_lag)
    rows = [("overall", slice(None))] + [(str(c), c) for c in sorted(classes.unique())]
    out = [f"-- {label}: CPU {cpu:,.0f} s; models: {_models(series)}",
           f"{'class':<13}{'series':>7}{'MASE':>8}{'RMSSE':>8}{'bias%':>8}"
           + "".join(f"{'cov' + format(level, 'g'):>9}" for level in LEVELS)
           + f"  P(within {tolerance * 100:g} pts | perfect)"]  # fmt: skip
    for name, which in rows:
        ids = classes.index if name == "overall" else classes.index[classes == which]
        part = forecasts.loc[forecasts["unique_id"].isin(ids)]
        bias = 100 * (part["forecast"].sum() - part["y"].sum()) / max(part["y"].sum(), 1e-9)
        w = windows.loc[windows["unique_id"].isin(ids)]
        cover = [float(np.mean(w["actual"] <= w[f"q{level:g}"])) for level in LEVELS]
        mase = series.loc[series["unique_id"].isin(ids), "mase"]
        out.append(
            f"{name:<13}{len(ids):>7}{np.nanmean(mase):>8.4f}{np.nanmean(rmsse.reindex(ids)):>8.4f}"
            f"{bias:>8.1f}"
            + "".join(f"{c:>9.3f}" for c in cover)
            + f"  {chance_within(len(ids), LEVELS, tolerance):.2f}"
        )
    out.append(f"quantile loss of the total (0.5-0.95, / sum actual): {quantile_loss(windows):.4f}")
    if result.skipped:
        out.append(f"not scored (rules, not models): {result.skipped}")
    return out


def _rmsse(result: Backtest, forecasts: pd.DataFrame, lag: int) -> pd.Series:
    """RMSSE per series with the lag-`lag` naive scale of the training part (M5: lag 1,
    after the first sale; M3: lag 12, as the engine's own)."""
    if lag == 12:
        series = result.series.loc[result.series["method"] == MODEL]
        return series.set_index("unique_id")["rmsse"]
    error = (forecasts["forecast"] - forecasts["y"]) ** 2
    mse = error.groupby(forecasts["unique_id"]).mean()
    return np.sqrt(mse / m5_scales().reindex(mse.index))


def _models(series: pd.DataFrame) -> str:
    counts = series["model"].value_counts()
    return ", ".join(f"{name} x{n}" for name, n in counts.head(6).items())


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry for tuning runs: `python -m benchmarks.accuracy m3 120 auto`."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    known = ("m3", "m5", *(f"m{m}val{k}" for m in (3, 5) for k in ("", 2, 3)))
    sets = tuple(a for a in args if a in known) or ("m3", "m5")
    numbers = [int(a) for a in args if a.isdigit()]
    variants = tuple(a for a in args if a in ("auto", "fast", "full")) or ("auto", "fast")
    n = numbers[0] if numbers else None
    overrides = dict(a.split("=", 1) for a in args if "=" in a)  # forecast settings
    benchmark(Options(), m3_series=n, m5_series=n, sets=sets, variants=variants,
              overrides=overrides)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
