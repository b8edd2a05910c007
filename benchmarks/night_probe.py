"""The night benchmark's measured child: one nightly run with probes on its stages.

`load_night` (not timed) starts Prefect's temporary API and builds the services once,
so the run is measured as a scheduled night runs (a worker already up); then installs
three probes, all pure observers: a stage clock that also keeps CPU seconds and the
resident high-water mark of each stage, a timer around the model calls (statsforecast's
own methods in one process; on a Dask cluster, where the work happens when a result is
collected, the whole call through `forecasting.execution`), and a timer around the frame
schema checks each stage makes where it builds a frame (`contracts.frames`).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.harness import _reset_peak, _status_kb

AS_OF_TEXT = "2026-11-25"
_MB = 1024 * 1024
_METHODS = {
    "forecast": "forecast",
    "forecast_fitted_values": "forecast",
    "cross_validation": "backtest",
    "cross_validation_fitted_values": "backtest",
}


def _peak_mb() -> float:
    return (_status_kb("VmHWM") or 0.0) / 1024


def _deep_mb(frames: Any) -> float:
    """Resident bytes of a frame, or of a dict of frames, strings included once each.

    pandas' `memory_usage(deep=True)` counts a string once per cell that points at it,
    so a column of shared strings (the typed keys) would count many times its size.
    """
    if not isinstance(frames, pd.DataFrame):
        return sum(_deep_mb(frame) for frame in frames.values())
    total = 0
    for name in frames.columns:
        column = frames[name]
        if column.dtype != object:
            total += int(column.memory_usage(deep=True, index=False))
            continue
        cells = column.to_numpy()
        ids = np.fromiter(map(id, cells), dtype=np.int64, count=len(cells))
        _, first = np.unique(ids, return_index=True)
        total += 8 * len(cells) + sum(sys.getsizeof(cell) for cell in cells[first])
    return total / _MB


class Probe:
    """What the probes saw during the run."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = {}
        self.peak: dict[str, float] = {}
        self.raw_input_mb = 0.0
        self.tables_mb = 0.0
        self.sizing_s = 0.0  # spent measuring the input: taken out of the run's time
        self.calls: dict[str, float] = {}
        self.call_cpu = 0.0
        self.call_count = 0
        self.frame_checks: dict[str, float] = {}  # seconds per frame schema checked

    def clock(self, base: type) -> type:
        """A `StageClock` that also keeps CPU and peak memory per stage."""
        probe = self

        class MeasuredClock(base):  # type: ignore[misc, valid-type]
            def run(self, stage: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
                _reset_peak()
                cpu = time.process_time()
                try:
                    result = super().run(stage, fn, *args, **kwargs)
                finally:
                    probe.cpu[stage] = probe.cpu.get(stage, 0.0) + time.process_time() - cpu
                    probe.peak[stage] = max(probe.peak.get(stage, 0.0), _peak_mb())
                probe.sized(stage, result)
                return result

        return MeasuredClock

    def sized(self, stage: str, result: Any) -> None:
        start = time.perf_counter()
        if stage == "extract" and hasattr(result, "frames"):
            self.raw_input_mb = _deep_mb(result.frames) + _deep_mb(result.extras)
        elif stage == "validate" and hasattr(result, "tables") and not self.tables_mb:
            self.tables_mb = _deep_mb(result.tables)
        self.sizing_s += time.perf_counter() - start

    def timed(
        self, name: str, call: Callable[..., Any], *, count: bool = True
    ) -> Callable[..., Any]:
        """`call`, adding its wall and CPU time to the model calls' totals."""

        @wraps(call)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return call(*args, **kwargs)
            finally:
                self.calls[name] = self.calls.get(name, 0.0) + time.perf_counter() - wall
                self.call_cpu += time.process_time() - cpu
                self.call_count += count

        return wrapper

    def frame_check(self, check: Callable[..., Any]) -> Callable[..., Any]:
        """`FrameSchema.check`, adding its wall time to its frame's total."""

        @wraps(check)
        def wrapper(schema: Any, frame: Any) -> Any:
            wall = time.perf_counter()
            try:
                return check(schema, frame)
            finally:
                seconds = time.perf_counter() - wall
                self.frame_checks[schema.name] = self.frame_checks.get(schema.name, 0.0) + seconds

        return wrapper


def load_night(work: Path) -> tuple[Path, Probe]:
    """Prepare the child: its own database and folders, Prefect up, probes installed."""
    os.chdir(work)
    os.environ["REPLENISH_DATABASE_URL"] = f"sqlite:///{work / 'replenish.db'}"
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from prefect import flow

    from flows import nightly
    from replenish.bootstrap import build
    from settings import load_settings

    build(load_settings(work / "config.toml")).engine.dispose()  # schema created
    flow(name="night-benchmark-warm-up")(lambda: None)()  # Prefect's temporary API up
    probe = Probe()
    nightly.StageClock = probe.clock(nightly.StageClock)  # type: ignore[misc]
    from contracts.frames import FrameSchema

    FrameSchema.check = probe.frame_check(FrameSchema.check)  # type: ignore[method-assign]
    if "dask_address" in (work / "config.toml").read_text():
        # on a cluster the work happens when a result is collected: time the whole call
        from forecasting import execution

        execution.forecast_with_fit = probe.timed("forecast", execution.forecast_with_fit)
        execution.cross_validation = probe.timed("backtest", execution.cross_validation)
    else:  # in this process: statsforecast's own methods, whoever calls them
        from statsforecast import StatsForecast

        for name, label in _METHODS.items():
            method = probe.timed(label, getattr(StatsForecast, name), count="fitted" not in name)
            setattr(StatsForecast, name, method)
    return work, probe


def run_night(inputs: tuple[Path, Probe]) -> dict[str, Any]:
    """One nightly run; what it did and what each stage cost."""
    from datetime import date

    from flows.nightly import nightly_replenishment
    from flows.outcomes import summary_of

    work, probe = inputs
    start = time.perf_counter()
    state = nightly_replenishment(
        source=str(work / "extract"),
        as_of=date.fromisoformat(AS_OF_TEXT),
        config=str(work / "config.toml"),
        return_state=True,
    )
    run_seconds = time.perf_counter() - start - probe.sizing_s
    summary = summary_of(state.result(raise_on_failure=False))
    if summary is None:
        raise RuntimeError(f"the nightly run crashed: {state.message}")
    orders = summary.get("orders", {})
    return {
        "status": summary["status"],
        "series": summary["series"]["forecast"],
        "by_class": summary["series"]["by_class"],
        "rows_read": sum(int(f["read"]) for f in summary["rows"].values()),
        "orders": f"{orders.get('purchase_orders', 0):,} purchase orders, "
        f"{orders.get('lines', 0):,} lines",
        "run_seconds": run_seconds,
        "stage_seconds": summary["stage_seconds"],
        "stage_cpu_seconds": probe.cpu,
        "stage_peak_mb": probe.peak,
        # each stage resets the high-water mark: the run's peak is the largest of them
        "peak_mb": max([*probe.peak.values(), _peak_mb()]),
        "raw_input_mb": probe.raw_input_mb,
        "validated_tables_mb": probe.tables_mb,
        "bare_seconds": sum(probe.calls.values()),
        "bare_cpu_seconds": probe.call_cpu,
        "call_seconds": probe.calls,
        "model_calls": probe.call_count,
        "frame_check_seconds": probe.frame_checks,
        "memory_budget_mb": (summary.get("memory") or {}).get("budget_mb"),
    }
