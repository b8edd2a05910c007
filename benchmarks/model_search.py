"""Our default model set against the full automatic searches, on held-out demand.

Both sides run the engine's own rolling-origin backtest choice (`forecast_demand` with
default settings) on the same smooth/erratic series of the sample data, trained on the
history before the last 28 days, which neither side sees; only the candidates differ:

- default: the engine's candidate set (`forecasting.candidates`: for daily data seasonal
  naive, ETS ANA and MSTL where the history allows);
- full search: statsforecast's `AutoETS(season_length=7)` (every ETS form, chosen by
  AICc) and `AutoTheta(season_length=7)` (its four Theta models), the choice between
  the two by the same backtest.

Each side's forecast of the 28 held-out days is scored with MASE and RMSSE (scaled by
the in-sample seasonal naive error, averaged over series). The aim is no worse
accuracy than the full search at a tenth of its CPU time.
"""

from __future__ import annotations

import math
import pickle
import shutil
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from statsforecast.models import AutoETS, AutoTheta

import forecasting
from benchmarks.forecast_inputs import AS_OF, read_extract
from benchmarks.harness import Options, Report, Row, Step, measure, measure_once, progress
from forecasting.candidates import MSTL_MIN_DAYS, selection_candidates
from forecasting.classify import ERRATIC, SMOOTH
from forecasting.metrics import mase, naive_scales, rmsse
from forecasting.models import Candidate
from forecasting.params import Frequency

FULL_SERIES, QUICK_SERIES = 200, 40
HOLDOUT_DAYS = 28
SEED = 11
SEASON = 7
# Smooth/erratic series per item in the sample data (about 0.66 with two locations per
# item): enough items are written to draw the sample from.
_SERIES_PER_ITEM = 0.6
PARAMS = forecasting.ForecastParams()


def full_search_candidates(
    frequency: Frequency, which: str = "fast"
) -> dict[str, tuple[Candidate, ...]]:
    """The automatic searches as the continuous candidates; sporadic ones unchanged
    (`which` is the engine's candidate set, ignored: this benchmark forces its own)."""
    return {
        "continuous": (
            Candidate("AutoETS(search,7)", lambda: AutoETS(season_length=SEASON), 2 * SEASON),
            Candidate("AutoTheta(search,7)", lambda: AutoTheta(season_length=SEASON), 10),
        ),
        "sporadic": selection_candidates(frequency)["sporadic"],
    }


# --- the inputs ------------------------------------------------------------------------


def prepare(work: Path, series: int) -> dict[str, Any]:
    """Write the sample extract, draw the series, split off the held-out days, pickle."""
    folder = work / "extract"
    clock = time.perf_counter()
    items_n = math.ceil(series / _SERIES_PER_ITEM) + 10
    demand, items = _write_and_read(folder, items_n)
    shutil.rmtree(folder)
    cut = AS_OF - timedelta(days=HOLDOUT_DAYS)  # the first held-out day
    training = demand.loc[demand["date"] < pd.Timestamp(cut)]
    prepared = forecasting.prepare_series(training, as_of=cut, frequency="D")
    classes = forecasting.classify(prepared.series, PARAMS)
    continuous = classes.loc[classes["demand_class"].isin([SMOOTH, ERRATIC]), "unique_id"]
    rng = np.random.default_rng(SEED)
    drawn = rng.permutation(continuous.astype(str).to_numpy())[:series]
    ids = prepared.ids.assign(unique_id=prepared.ids["unique_id"].astype(str))
    keys = ids.loc[ids["unique_id"].isin(drawn), ["sku", "location"]]
    chosen = items.merge(keys, on=["sku", "location"])
    # Protection = lead time + review = the held-out days: the engine forecasts them all.
    chosen = chosen.assign(lead_time_days=float(HOLDOUT_DAYS - 7), review_period_days=7.0)
    wanted = demand.merge(keys, on=["sku", "location"])
    full = forecasting.prepare_series(wanted, as_of=AS_OF, frequency="D").series
    full = full.assign(unique_id=full["unique_id"].astype(str))
    train_part = full.loc[full["ds"] < pd.Timestamp(cut)]
    test_part = full.loc[full["ds"] >= pd.Timestamp(cut)]
    order = pd.Index(np.sort(full["unique_id"].unique()))
    lengths = train_part.groupby("unique_id")["ds"].size()
    held_out = math.ceil(PARAMS.selection_window_days) * PARAMS.selection_windows
    mae_scale, mse_scale = naive_scales(
        train_part["y"].to_numpy(np.float64),
        order.get_indexer(train_part["unique_id"]),
        len(order),
        SEASON,
    )
    holdout = {
        "ids": order,
        "actual": test_part[["unique_id", "ds", "y"]].reset_index(drop=True),
        "mae_scale": mae_scale,
        "mse_scale": mse_scale,
    }
    inputs = (wanted.loc[wanted["date"] < pd.Timestamp(cut)], chosen, cut, holdout)
    with (work / "inputs.pkl").open("wb") as out:
        pickle.dump(inputs, out, protocol=pickle.HIGHEST_PROTOCOL)
    return {
        "series": len(chosen),
        "population": len(continuous),
        "items_written": items_n,
        "history_days": int(lengths.median()),
        # MSTL's two years must precede the choice's own backtest windows
        "mstl_eligible": int((lengths >= MSTL_MIN_DAYS + held_out).sum()),
        "by_class": classes.set_index("unique_id")
        .loc[drawn, "demand_class"]
        .value_counts()
        .to_dict(),
        "data_s": time.perf_counter() - clock,
        "cut": cut.isoformat(),
    }


def _write_and_read(folder: Path, items: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    from cli.sample_data import write_sample_data

    write_sample_data(folder, items=items, seed=SEED, dirty=0, as_of=AS_OF)
    return read_extract(folder, 10**9)


# --- the measured steps (module level: the spawned child imports them by name) --------


Inputs = tuple[pd.DataFrame, pd.DataFrame, date, dict[str, Any]]


def setup_prepare(args: tuple[Path, int]) -> tuple[Path, int]:
    return args


def run_prepare(args: tuple[Path, int]) -> dict[str, Any]:
    return prepare(*args)


def load_inputs(work: Path) -> Inputs:
    with (work / "inputs.pkl").open("rb") as source:
        loaded: Inputs = pickle.load(source)
    return loaded


def run_default(inputs: Inputs) -> dict[str, Any]:
    return _forecast_and_score(inputs)


def run_full_search(inputs: Inputs) -> dict[str, Any]:
    # The engine looks its candidates up at call time (`forecasting.engine._selection`),
    # so the full search goes through the very same choice, fit and fallback code.
    from forecasting import engine

    engine.selection_candidates = full_search_candidates
    return _forecast_and_score(inputs)


def _forecast_and_score(inputs: Inputs) -> dict[str, Any]:
    """The engine's forecast of the held-out days, and its errors on them."""
    demand, items, cut, holdout = inputs
    result = forecasting.forecast_demand(demand, items, as_of=cut, params=PARAMS)
    path = result.path
    path = path.assign(unique_id=path["sku"].astype(str) + "|" + path["location"].astype(str))
    actual = holdout["actual"].merge(
        path[["unique_id", "ds", "mean"]], on=["unique_id", "ds"], how="left"
    )
    ids: pd.Index = holdout["ids"]
    codes = ids.get_indexer(actual["unique_id"])
    y = actual["y"].to_numpy(np.float64)
    forecast = actual["mean"].to_numpy(np.float64)
    return {
        "series": len(result.summary),
        "mase": float(np.nanmean(mase(y, forecast, codes, holdout["mae_scale"]))),
        "rmsse": float(np.nanmean(rmsse(y, forecast, codes, holdout["mse_scale"]))),
        "missing": int(np.isnan(forecast).sum()),
        "by_model": result.summary["model"].value_counts().to_dict(),
    }


# --- the benchmark ---------------------------------------------------------------------


def benchmark(options: Options) -> Report:
    """Default candidates and the full searches, same series, same held-out days."""
    series = QUICK_SERIES if options.quick else FULL_SERIES
    work = Path(tempfile.mkdtemp(prefix="replenish-bench-search-"))
    try:
        progress(f"search: sample data, {series} series, last {HOLDOUT_DAYS} days held out ...")
        facts = measure_once(Step("prepare", setup_prepare, run_prepare, ((work, series),))).info
        steps = [
            Step("default candidates (backtest choice)", load_inputs, run_default, (work,)),
            Step("full search: AutoETS + AutoTheta", load_inputs, run_full_search, (work,)),
        ]
        default, full = measure(steps, options.repeat)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    n = facts["series"]
    report = Report(
        "search",
        f"{n} smooth/erratic series, {facts['history_days']} days of daily history, "
        f"{HOLDOUT_DAYS} held out",
        "series",
    )
    report.rows = [Row(default, n), Row(full, n, default)]
    cpu_ratio = full.cpu_s / default.cpu_s if default.cpu_s > 0 else float("nan")
    accuracy = {
        name: (default.info[name], full.info[name], default.info[name] - full.info[name])
        for name in ("mase", "rmsse")
    }
    report.facts += [
        *(
            (
                f"{name.upper()} on the held-out days",
                f"default {ours:.4f}, full search {theirs:.4f}, default - full {diff:+.4f} "
                f"({diff / theirs:+.1%})",
            )
            for name, (ours, theirs, diff) in accuracy.items()
        ),
        ("CPU full / default", f"{cpu_ratio:.1f}x ({full.cpu_s:,.1f} s / {default.cpu_s:,.1f} s)"),
        ("models (default)", _listed(default.info["by_model"])),
        ("models (full search)", _listed(full.info["by_model"])),
        ("MSTL(7,365) eligible", f"{facts['mstl_eligible']} of {n} series (it needs "
                                 f"{MSTL_MIN_DAYS} days before the choice's backtest windows)"),
        ("series drawn", f"{n} of {facts['population']:,} smooth/erratic series "
                         f"({_listed(facts['by_class'])}), seed {SEED}"),
        ("data", f"sample data for {facts['items_written']} items, trained up to "
                 f"{facts['cut']}, made in {facts['data_s']:.0f} s"),
    ]  # fmt: skip
    if default.info["missing"] or full.info["missing"]:
        report.notes.append(
            f"held-out days without a forecast: default {default.info['missing']}, "
            f"full {full.info['missing']}"
        )
    report.notes.append(
        "both sides run forecast_demand with default settings (backtest choice on, two "
        "28-day windows, fits capped at 365 days) and differ only in the continuous "
        "candidates; cpu s includes the choice, the final fits and the engine's own work."
    )
    verdict = "met" if cpu_ratio >= 10 and all(d <= 0 for _, _, d in accuracy.values()) else (
        "not met"
    )  # fmt: skip
    report.notes.append(
        f"aim (no worse MASE and RMSSE at a tenth of the CPU or less): {verdict} on this run."
    )
    return report


def _listed(values: dict[str, Any]) -> str:
    return ", ".join(f"{name} {value:,}" for name, value in values.items())
