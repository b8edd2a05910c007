"""Where the statsforecast calls run: in this process, or on a cluster the caller chose.

statsforecast runs a call distributed when it is handed a distributed frame (a Dask
frame, through Fugue) instead of a pandas one; the models, the fallback and the
results are the same. The core stays pure and free of any cluster library: the caller
installs a `Backend` for the duration of a forecast (a context variable, like
`forecasting.progress`), and every model call of that forecast goes through it. With no
backend installed the calls run here, exactly as before.

A backend only moves frames: `distribute` turns a pandas frame into the cluster's frame
type, `collect` brings a result back as pandas. Results are put back into the order the
single-process run gives (series, then cutoff, then date) and into its dtypes, so the
arithmetic after a model call never knows where it ran.

The caller may also bound how many series one model call takes (`in_blocks`): a call
over a whole catalogue holds its input frame, statsforecast's copies of it and its
results at once (about 1.5 GB at 10,000 two-year daily series), so the nightly stage
splits each call into blocks sized to its memory budget. Each series is fitted on its
own, so the forecasts are the same whatever the blocks.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol

import numpy as np
import pandas as pd


class Backend(Protocol):
    """A cluster the model calls can run on (`integrations.dask_cluster.DaskBackend`)."""

    def distribute(self, frame: pd.DataFrame) -> Any:
        """The long-format frame as the cluster's distributed frame."""

    def collect(self, result: Any) -> pd.DataFrame:
        """A distributed result computed and brought back as one pandas frame."""


_backend: ContextVar[Backend | None] = ContextVar("forecast_backend", default=None)
_block_series: ContextVar[int | None] = ContextVar("forecast_block_series", default=None)


@contextmanager
def in_blocks(series: int | None) -> Iterator[None]:
    """Inside the block, each model call takes at most `series` series at a time
    (None: all of its series in one call)."""
    token = _block_series.set(series if series is None else max(1, int(series)))
    try:
        yield
    finally:
        _block_series.reset(token)


def blocks(positions: np.ndarray) -> list[np.ndarray]:
    """`positions` cut into consecutive blocks of the installed size (one block without)."""
    size = _block_series.get()
    if size is None or len(positions) <= size:
        return [positions]
    return [positions[start : start + size] for start in range(0, len(positions), size)]


def block_label(name: str, index: int, count: int) -> str:
    """A model's name as progress reports it: with its block when it has several."""
    return name if count == 1 else f"{name}, block {index + 1} of {count}"


@contextmanager
def running_on(backend: Backend | None) -> Iterator[None]:
    """Run the model calls of the forecasts made inside the block on `backend`
    (None: in this process)."""
    token = _backend.set(backend)
    try:
        yield
    finally:
        _backend.reset(token)


def forecast_with_fit(
    engine: Any, frame: pd.DataFrame, horizon: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`engine.forecast(fitted=True)` and its in-sample fitted values, wherever it runs."""
    backend = _backend.get()
    if backend is None:
        forecast = engine.forecast(df=frame, h=horizon, fitted=True)
        return forecast, engine.forecast_fitted_values()
    forecast = engine.forecast(df=backend.distribute(frame), h=horizon, fitted=True)
    collected = _local(backend.collect(forecast), ["unique_id", "ds"])
    fitted = _local(backend.collect(engine.forecast_fitted_values()), ["unique_id", "ds"])
    return collected, fitted


def cross_validation(
    engine: Any, frame: pd.DataFrame, *, fitted: bool, **options: Any
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """`engine.cross_validation(...)` and (when `fitted`) its in-sample fitted values.

    statsforecast's distributed backend keeps no fitted values of a cross-validation,
    so a call that needs them runs in this process even when a cluster is installed.
    """
    backend = _backend.get()
    if backend is None or fitted:
        forecasts = engine.cross_validation(df=frame, fitted=fitted, **options)
        return forecasts, engine.cross_validation_fitted_values() if fitted else None
    result = engine.cross_validation(df=backend.distribute(frame), fitted=False, **options)
    return _local(backend.collect(result), ["unique_id", "cutoff", "ds"]), None


def _local(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """A cluster's result in the single-process run's row order and dtypes: sorted by
    `keys` (partitions come back in any order), ids as text, dates as datetime64[ns]
    and numbers as float64 (the distributed schema declares the forecasts float32)."""
    out = frame.reset_index(drop=True)
    columns: dict[str, Any] = {"unique_id": out["unique_id"].astype(str).to_numpy(dtype=object)}
    for name in out.columns:
        if name == "unique_id":
            continue
        if name in ("ds", "cutoff"):
            columns[name] = pd.to_datetime(out[name]).to_numpy(dtype="datetime64[ns]")
        else:
            columns[name] = out[name].to_numpy(dtype=np.float64, na_value=np.nan)
    local = pd.DataFrame(columns)
    return local.sort_values(keys, kind="stable").reset_index(drop=True)
