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

import pickle
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

import forecasting
from benchmarks.forecast_inputs import (
    AS_OF,
    CHOOSES_BY_BACKTEST,
    DEFAULT_PARAMS,
    PARAMS,
    bare_forecast,
)
from benchmarks.forecast_sample import SEED, run_prepare, setup_prepare
from benchmarks.harness import Options, Report, Row, Step, measure, measure_once, progress
from forecasting.engine import Candidate, candidate_chains

FULL_SERIES, QUICK_SERIES = 10_000, 300
FULL_BUDGET_S, QUICK_BUDGET_S = 420.0, 90.0


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
