"""`python -m benchmarks night --series N`: the whole nightly flow on a generated catalogue.

The sample catalogue is written at exactly N item-locations (two years of daily demand,
the default share of dirty rows), then one `nightly_replenishment` run reads, validates,
forecasts, plans, flags, routes, submits and reports it with the default settings, in a
fresh process with its own SQLite database, outbox and ERP drop folder. Printed per
stage: wall and CPU seconds, rows (extract, validate) or series per second and the peak
resident memory; for the run: its peak, and what the input itself takes in memory.

"bare" is statsforecast doing the run's model work: every model call the forecast stage
makes (backtest and final fits, the same frames and models) timed at the call
(`benchmarks.night_probe`), so `run / bare` is what the whole night costs for each
second of model work. The frame schema checks each stage makes where it builds a frame
are timed too (`frame checks`: their total and its share of the run). With
`--dask ADDRESS` the forecast runs on that cluster (`forecast.dask_address`); the
workers' CPU is then not in this process's CPU column.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.harness import Options, Report, Row, Step, measure_once, progress
from benchmarks.night_probe import load_night, run_night
from benchmarks.report import Measurement

DEFAULT_SERIES, QUICK_SERIES = 2_000, 300
SEED = 7
AS_OF = date(2026, 11, 25)
_ROW_STAGES = ("extract", "validate")


def items_for(series: int, seed: int = SEED) -> int:
    """The sample-data item count whose catalogue has exactly `series` item-locations.

    An item is stocked at one to three locations drawn at random, so the count is found
    by building catalogues (a tenth of a second each at M5's size) near series / 2.
    """
    from cli.sample_data.catalogue import build_catalogue

    def size(items: int) -> int:
        # the catalogue's stream, as `write_sample_data` spawns it
        return len(build_catalogue(items, np.random.default_rng(seed).spawn(4)[0]))

    items = max(1, round(series / 2))
    best, best_gap = items, abs(size(items) - series)
    for _ in range(12):  # close in on the size
        found = size(items)
        if abs(found - series) < best_gap:
            best, best_gap = items, abs(found - series)
        if found == series:
            return items
        items = max(1, items + round((series - found) / 2) or (1 if found < series else -1))
    for items in range(max(1, best - 60), best + 61):  # then look around it
        found = size(items)
        if found == series:
            return items
        if abs(found - series) < best_gap:
            best, best_gap = items, abs(found - series)
    return best


def prepare(work: Path, series: int, dask_address: str | None) -> dict[str, Any]:
    """Write the extract and the run's config file into `work`."""
    from cli.sample_data import write_sample_data

    items = items_for(series)
    summary = write_sample_data(work / "extract", items=items, seed=SEED, as_of=AS_OF)
    config = ["[forecast]"]
    if dask_address:
        config.append(f'dask_address = "{dask_address}"')
    (work / "config.toml").write_text("\n".join(config) + "\n")
    disk = sum(p.stat().st_size for p in (work / "extract").iterdir())
    return {"items": items, "files": dict(summary.files), "disk_mb": disk / 2**20}


def setup_prepare(args: tuple[Path, int, str | None]) -> tuple[Path, int, str | None]:
    return args


def run_prepare(args: tuple[Path, int, str | None]) -> dict[str, Any]:
    return prepare(*args)


def benchmark(options: Options) -> Report:
    """Generate the catalogue, run the night once in a fresh process, report per stage."""
    series = options.series or (QUICK_SERIES if options.quick else DEFAULT_SERIES)
    work = Path(tempfile.mkdtemp(prefix="replenish-bench-night-"))
    try:
        progress(f"night: sample data for {series:,} item-locations ...")
        made = measure_once(
            Step("prepare", setup_prepare, run_prepare, ((work, series, options.dask_address),))
        )
        progress(f"night: data written in {made.wall_s:,.0f} s; running the nightly flow ...")
        night = measure_once(Step("night", load_night, run_night, (work,)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return _report(series, options.dask_address, made, night)


def _report(series: int, dask_address: str | None, made: Measurement, night: Measurement) -> Report:
    info = night.info
    peak = float(info["peak_mb"])
    where = f"forecast on Dask {dask_address}" if dask_address else "one process"
    report = Report(
        "night", f"{series:,} item-locations, two years daily, whole nightly flow, {where}", "units"
    )
    forecast_series = int(info["series"])
    rows_read = int(info["rows_read"])
    bare = Measurement(
        "bare statsforecast (same calls)", info["bare_seconds"], info["bare_cpu_seconds"],
        0.0, 0.0, "-", 0.0,
    )  # fmt: skip
    run = Measurement(
        "whole run", info["run_seconds"], night.cpu_s, peak, night.rss_before_mb,
        night.peak_source, night.setup_s,
    )  # fmt: skip
    report.rows.append(Row(bare, forecast_series))
    for stage, seconds in info["stage_seconds"].items():
        stage_m = Measurement(
            f"  {stage}", seconds, info["stage_cpu_seconds"].get(stage, 0.0),
            info["stage_peak_mb"].get(stage, 0.0), night.rss_before_mb, night.peak_source, 0.0,
        )  # fmt: skip
        units = rows_read if stage in _ROW_STAGES else forecast_series
        report.rows.append(Row(stage_m, units, bare if stage == "forecast" else None))
    report.rows.append(Row(run, forecast_series, bare))
    ratio = info["run_seconds"] / info["bare_seconds"] if info["bare_seconds"] > 0 else None
    raw_mb, tables_mb = info["raw_input_mb"], info["validated_tables_mb"]
    checks = sum(info["frame_check_seconds"].values())
    report.facts += [
        ("catalogue", f"{series:,} item-locations ({made.info['items']:,} items, seed {SEED}), "
                      f"{rows_read:,} input rows, {made.info['disk_mb']:,.0f} MB of CSV"),
        ("forecast", f"{forecast_series:,} series: {_listed(info['by_class'])}"),
        ("model calls", f"{info['model_calls']} ({_listed(info['call_seconds'], '{:,.1f} s')})"),
        ("orders", f"{info['orders']}"),
        ("run / bare model calls", "-" if ratio is None else f"{ratio:.2f}x"),
        ("frame checks", f"{checks:,.2f} s, {checks / info['run_seconds']:.2%} of the run "
                         f"({_listed(info['frame_check_seconds'], '{:,.3f} s')})"),
        ("input in memory", f"raw extract {raw_mb:,.0f} MB ({raw_mb / peak:.0%} of "
                            f"the peak), validated tables {tables_mb:,.0f} MB"),
        ("process before the run", f"{night.rss_before_mb:,.0f} MB (imports, Prefect started)"),
        ("memory", f"peak {peak:,.0f} MB, budget {info.get('memory_budget_mb') or '-'} MB "
                   "(run.memory_budget_mb)"),
        ("status", f"{info['status']}; data written in {made.wall_s:,.0f} s"),
    ]  # fmt: skip
    report.notes += [
        "units/s: input rows per second for extract and validate, item-locations "
        "forecast per second for the other stages and the whole run.",
        "peak MB per stage: the process's resident high-water mark during that stage "
        "(reset as it starts); the whole run's is the largest.",
        "bare = the forecast stage's statsforecast calls timed where they are made "
        "(same frames, models and fallback): the model work a direct script would do.",
    ]
    report.figures = {
        "series": forecast_series,
        "catalogue_series": series,
        "dask_address": dask_address,
        "run_seconds": info["run_seconds"],
        "run_cpu_seconds": night.cpu_s,
        "forecast_seconds": info["stage_seconds"].get("forecast"),
        "bare_forecast_seconds": info["bare_seconds"],
        "run_to_bare_forecast_ratio": ratio,
        "peak_rss_mb": peak,
        "memory_budget_mb": info.get("memory_budget_mb"),
        "rss_before_run_mb": night.rss_before_mb,
        "raw_input_mb": raw_mb,
        "raw_input_share_of_peak": raw_mb / peak if peak else None,
        "validated_tables_mb": tables_mb,
        "input_rows": rows_read,
        "stage_seconds": info["stage_seconds"],
        "stage_cpu_seconds": info["stage_cpu_seconds"],
        "stage_peak_rss_mb": info["stage_peak_mb"],
        "model_call_seconds": info["call_seconds"],
        "frame_check_seconds": checks,
        "frame_check_share": checks / info["run_seconds"],
        "frame_check_seconds_by_frame": info["frame_check_seconds"],
        "status": info["status"],
    }
    return report


def _listed(values: dict[str, Any], fmt: str = "{:,}") -> str:
    return ", ".join(f"{name} {fmt.format(value)}" for name, value in values.items())
