"""Our forecast stage next to bare statsforecast making the same model calls.

The bare side gets the very frames the engine hands to statsforecast (the output of
`forecasting.prepare_series`, split by the engine's own candidate chains) and makes the
same `StatsForecast(...).forecast(fitted=True)` calls, so `ours / bare` is the cost of
everything our layer adds: preparing and classifying the series, choosing models,
new-item and dormant rules, quantiles and the output frames.

AutoETS dominates (tens of milliseconds per smooth series against well under one for
Croston), so 10,000 series can take longer than a benchmark should. The cost per
series is measured on this machine first; when both measured steps would not fit the
budget, a random sample of the item-locations (same demand mix in expectation) is
measured instead, and the report says so.
"""

from __future__ import annotations

import math
import pickle
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import forecasting
from benchmarks.forecast_inputs import (
    AS_OF,
    CHOOSES_BY_BACKTEST,
    DEFAULT_PARAMS,
    PARAMS,
    bare_forecast,
    horizon_of,
    model_calls,
    read_extract,
    subset,
)
from benchmarks.harness import Options, Report, Row, Step, measure, measure_once, progress
from forecasting.engine import Candidate, candidate_chains
from replenish.sample_data import write_sample_data

FULL_SERIES, QUICK_SERIES = 10_000, 300
FULL_BUDGET_S, QUICK_BUDGET_S = 420.0, 90.0
SEED = 7
# Series per candidate timed to learn what a series costs here; ETS is slow, so few.
_CALIBRATION = {"AutoETS": 60, "other": 400}
_CALIBRATION_DEFAULT_SIZES = (60, 240)
# A few dozen series under-estimated the full run by up to 1.5x here (the machine's load
# changes between calibration and measurement): the estimate errs on the long side.
_SAFETY = 1.5


# --- calibration and sampling ----------------------------------------------------------


def _calibrate(calls: list[tuple[Candidate, pd.DataFrame]], horizon: int) -> dict[str, float]:
    """Seconds per series of each candidate on a few series, on this machine, now."""
    cost = {}
    for candidate, frame in calls:
        take = _CALIBRATION["AutoETS" if "ETS" in candidate.name else "other"]
        ids = frame["unique_id"].drop_duplicates().to_numpy()
        ids = np.random.default_rng(SEED).permutation(ids)[:take]
        small = frame.loc[frame["unique_id"].isin(ids)]
        start = time.perf_counter()
        bare_forecast(candidate, small, horizon)
        cost[candidate.name] = (time.perf_counter() - start) / max(1, len(ids))
    return cost


def _calibrate_default(demand: pd.DataFrame, items: pd.DataFrame) -> float:
    """Seconds per item-location of the engine's default configuration (backtest choice).

    Timed on two sample sizes and read off the slope: the backtest makes a dozen
    statsforecast calls whatever the size, and on a small sample that fixed cost
    doubled the estimate per item.
    """
    order = np.random.default_rng(SEED).permutation(len(items))
    seconds = []
    sizes = [min(len(items), n) for n in _CALIBRATION_DEFAULT_SIZES]
    for size in sizes:
        few_demand, few_items = subset(demand, items, np.sort(order[:size]))
        start = time.perf_counter()
        forecasting.forecast_demand(few_demand, few_items, as_of=AS_OF, params=DEFAULT_PARAMS)
        seconds.append(time.perf_counter() - start)
    whole = seconds[-1] / max(1, sizes[-1])
    if sizes[1] <= sizes[0]:
        return whole
    slope = (seconds[1] - seconds[0]) / (sizes[1] - sizes[0])
    return max(slope, whole / 4)  # a noisy pair of timings must not promise a free run


def prepare(work: Path, series: int, budget_s: float) -> dict[str, Any]:
    """Write the sample extract, choose the measured series, pickle both steps' inputs."""
    folder = work / "extract"
    clock = time.perf_counter()
    # about two locations per item, plus a margin; the first `series` rows are kept
    write_sample_data(folder, items=math.ceil(series / 1.9) + 10, seed=SEED, dirty=0, as_of=AS_OF)
    demand, items = read_extract(folder, series)
    shutil.rmtree(folder)
    written_s = time.perf_counter() - clock
    horizon = horizon_of(items)

    calls = model_calls(demand, items)
    cost = _calibrate(calls, horizon)
    per_model = {c.name: int(f["unique_id"].nunique()) for c, f in calls}
    # ours (chain) ~ bare + a small overhead: twice the model time for those two steps
    estimate_s = 2 * sum(cost[name] * n for name, n in per_model.items())
    if CHOOSES_BY_BACKTEST:
        cost["defaults, per item-location"] = _calibrate_default(demand, items)
        estimate_s += cost["defaults, per item-location"] * len(items)
    estimate_s *= _SAFETY
    sampled = budget_s > 0 and estimate_s > budget_s
    measured = len(items)
    if sampled:
        # rounded down to a round number, so that runs on a busier or quieter machine
        # usually draw the same sample (same seed, same size) and stay comparable
        step = 10 ** max(1, int(math.log10(len(items))) - 1)
        measured = max(step, int(len(items) * budget_s / estimate_s) // step * step)
        rng = np.random.default_rng(SEED)
        demand, items = subset(demand, items, np.sort(rng.choice(len(items), measured, False)))
        calls = model_calls(demand, items)
        horizon = horizon_of(items)
    with (work / "ours.pkl").open("wb") as out:
        pickle.dump((demand, items), out, protocol=pickle.HIGHEST_PROTOCOL)
    # models by name: a candidate's builder may be a lambda, which pickle refuses
    named = [(candidate.name, frame) for candidate, frame in calls]
    with (work / "bare.pkl").open("wb") as out:
        pickle.dump((named, horizon), out, protocol=pickle.HIGHEST_PROTOCOL)
    return {
        "population": series,
        "measured": measured,
        "sampled": sampled,
        "estimate_full_s": estimate_s,
        "seconds_per_series": cost,
        "population_per_model": per_model,
        "measured_per_model": {c.name: int(f["unique_id"].nunique()) for c, f in calls},
        "demand_rows": len(demand),
        "horizon": horizon,
        "data_s": written_s,
    }


# --- the measured steps (module level: the spawned child imports them by name) --------


def setup_prepare(args: tuple[Path, int, float]) -> tuple[Path, int, float]:
    return args


def run_prepare(args: tuple[Path, int, float]) -> dict[str, Any]:
    return prepare(*args)


def load_ours(work: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    with (work / "ours.pkl").open("rb") as source:
        loaded: tuple[pd.DataFrame, pd.DataFrame] = pickle.load(source)
    return loaded


def run_ours(inputs: tuple[pd.DataFrame, pd.DataFrame]) -> dict[str, Any]:
    demand, items = inputs
    result = forecasting.forecast_demand(demand, items, as_of=AS_OF, params=PARAMS)
    summary = result.summary
    return {
        "series": len(summary),
        "by_class": summary["demand_class"].value_counts().to_dict(),
        "by_model": summary["model"].value_counts().to_dict(),
        "fallbacks": int(summary["fallback"].notna().sum()),
        "path_rows": len(result.path),
    }


def run_ours_default(inputs: tuple[pd.DataFrame, pd.DataFrame]) -> dict[str, Any]:
    demand, items = inputs
    result = forecasting.forecast_demand(demand, items, as_of=AS_OF, params=DEFAULT_PARAMS)
    return {
        "series": len(result.summary),
        "by_model": result.summary["model"].value_counts().to_dict(),
    }


def run_ours_prepare(inputs: tuple[pd.DataFrame, pd.DataFrame]) -> dict[str, Any]:
    demand, _ = inputs
    prepared = forecasting.prepare_series(demand, as_of=AS_OF, frequency=PARAMS.frequency)
    classes = forecasting.classify(prepared.series, PARAMS)
    return {"series": len(classes), "periods": len(prepared.series)}


def load_bare(work: Path) -> tuple[list[tuple[Candidate, pd.DataFrame]], int]:
    with (work / "bare.pkl").open("rb") as source:
        named, horizon = pickle.load(source)
    chains = candidate_chains(PARAMS.frequency)
    by_name = {c.name: c for chain in chains.values() for c in chain}
    return [(by_name[name], frame) for name, frame in named], horizon


def run_bare(inputs: tuple[list[tuple[Candidate, pd.DataFrame]], int]) -> dict[str, Any]:
    calls, horizon = inputs
    seconds = {}
    for candidate, frame in calls:
        start = time.perf_counter()
        bare_forecast(candidate, frame, horizon)
        seconds[candidate.name] = time.perf_counter() - start
    return {"series": sum(int(f["unique_id"].nunique()) for _, f in calls), "seconds": seconds}


# --- the benchmark ---------------------------------------------------------------------


def benchmark(options: Options) -> Report:
    """Our forecast stage and bare statsforecast on the same series, maybe a sample."""
    population = QUICK_SERIES if options.quick else FULL_SERIES
    budget = options.forecast_budget_s
    if budget is None:
        budget = QUICK_BUDGET_S if options.quick else FULL_BUDGET_S
    work = Path(tempfile.mkdtemp(prefix="replenish-bench-forecast-"))
    try:
        progress(f"forecast: sample data for {population:,} series, cost per series ...")
        prepared = measure_once(
            Step("prepare", setup_prepare, run_prepare, ((work, population, budget),))
        )
        facts = prepared.info
        if facts["sampled"]:
            progress(
                f"forecast: the steps are estimated at {facts['estimate_full_s']:,.0f} s for "
                f"{population:,} series, over the {budget:,.0f} s budget: measuring a sample "
                f"of {facts['measured']:,}"
            )
        steps = [
            Step("bare statsforecast, same calls", load_bare, run_bare, (work,)),
            Step("ours: forecast_demand, chain", load_ours, run_ours, (work,)),
            Step("  of which prepare_series + classify", load_ours, run_ours_prepare, (work,)),
        ]
        if CHOOSES_BY_BACKTEST:
            steps.append(
                Step("ours: defaults (backtest choice)", load_ours, run_ours_default, (work,))
            )
        bare, ours, prep, *default = measure(steps, options.repeat)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    measured = facts["measured"]
    what = f"{measured:,} of {population:,} series (SAMPLE)" if facts["sampled"] else (
        f"{measured:,} series"
    )  # fmt: skip
    report = Report("forecast", f"{what}, 730 days of daily history", "series")
    report.rows = [
        Row(bare, bare.info["series"]),
        Row(ours, ours.info["series"], bare),
        Row(prep, prep.info["series"], bare),
        *(Row(d, d.info["series"], bare) for d in default),
    ]
    per_series = _listed({k: v * 1000 for k, v in facts["seconds_per_series"].items()}, "{:.2f} ms")
    report.facts += [
        ("series per model", _listed(facts["measured_per_model"], "{:,}")),
        ("bare time per model", _listed(bare.info["seconds"], "{:.1f} s")),
        ("demand classes (ours)", _listed(ours.info["by_class"], "{:,}")),
        ("models (ours, chain)", _listed(ours.info["by_model"], "{:,}")),
        *(("models (ours, defaults)", _listed(d.info["by_model"], "{:,}")) for d in default),
        ("fallbacks", f"{ours.info['fallbacks']:,}"),
        ("horizon", f"{facts['horizon']} days; {ours.info['path_rows']:,} path rows"),
        ("calibration", f"{per_series} (timed on a few series before the run)"),
        ("data", f"{facts['demand_rows']:,} demand rows (sample-data mix, seed {SEED}), "
                 f"generated in {facts['data_s']:.0f} s"),
    ]  # fmt: skip
    report.notes.append(
        "series/s: ours counts every item-location forecast; bare counts only the series "
        "given to statsforecast (new and dormant items get rules, not models)."
    )
    report.notes.append(
        "'chain' = each series gets the first model of its class's chain, the calls bare "
        "repeats, so ours/bare is the cost of our layer"
        + (
            "; 'defaults' adds the engine's rolling-origin backtest choice among several "
            "candidates, which bare does not repeat."
            if default
            else "."
        )
    )
    if facts["sampled"]:
        scaled = ", ".join(
            f"{m.label.removeprefix('ours: ')} ~{m.wall_s * population / measured / 60:,.1f} min"
            for m in (ours, *default)
        )
        report.notes.append(
            f"SAMPLE: {measured:,} item-locations drawn at random from {population:,} (budget "
            f"{budget:,.0f} s, estimate for the steps on all {population:,}: "
            f"{facts['estimate_full_s']:,.0f} s). At the measured rates all {population:,} "
            f"would take: {scaled} (one core)."
        )
    return report


def _listed(values: dict[str, Any], fmt: str) -> str:
    return ", ".join(f"{name} {fmt.format(value)}" for name, value in values.items())
