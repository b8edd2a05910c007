"""The night's memory: its high-water mark, and blocks of series sized to a budget.

A mid-market customer's server or Prefect worker often has 4-8 GB shared with other
work, so the night aims at `run.memory_budget_mb`. The forecast's model calls are what
grows with the catalogue: each call holds its input frame, statsforecast's copies of it
and its results, so the forecast stage runs them in blocks of series
(`forecasting.execution.in_blocks`) sized here from the budget. The forecasts are the
same whatever the block size: each series is fitted on its own.

The high-water mark is the kernel's (`VmHWM` in /proc/self/status), reset when a run
starts (`/proc/self/clear_refs`), so a worker that ran an earlier night reports this
night's peak. Where /proc is missing (not Linux) the peak is unknown (None).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
from pathlib import Path

import pandas as pd

from forecasting import ForecastParams

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")
# Measured here (statsforecast 2.1.1, a CrostonSBA forecast with fitted values, or a
# 2-window cross-validation, of two-year daily series): a model call held about 85 MB
# per 1,000 series on top of its input (frames, statsforecast's arrays, results), i.e.
# 0.12 MB per 1,000 series-periods.
MB_PER_SERIES_PERIOD = 0.12 / 1000
MIN_BLOCK, MAX_BLOCK = 500, 50_000


def peak_rss_mb() -> float | None:
    """The process's resident high-water mark in MB since it started or was reset."""
    return _status_mb("VmHWM")


def rss_mb() -> float | None:
    """The process's resident memory now, in MB."""
    return _status_mb("VmRSS")


#: Below this growth of the process since the night began there is too little to hand
#: back for the full collection's cost (0.2-0.4 s of CPU, whatever was freed: it walks
#: every object of Prefect, pandas and the interpreter). The demo's 60-item night grows
#: it by 30-45 MB, its first imports included; 10,000 item-locations by several hundred.
RELEASE_FROM_MB = 64.0


def release_freed(since_mb: float | None = None) -> None:
    """Hand the memory the process freed back to the OS (glibc's `malloc_trim`).

    Python and pandas free a stage's frames into the allocator's free lists, which glibc
    keeps: without this the extract, the gate's working copies and the forecast's frames
    stay resident (about 700 MB at 10,000 item-locations) through the rest of the night.
    `since_mb` is the resident memory when the night began: when the process has grown
    by less than `RELEASE_FROM_MB` since, nothing is done. Nothing happens where glibc
    is not the allocator."""
    now_mb = rss_mb()
    if since_mb is not None and now_mb is not None and now_mb - since_mb < RELEASE_FROM_MB:
        return
    gc.collect()  # frames in reference cycles (tracebacks, closures) go first
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass


# glibc's mallopt parameter: allocations above this many bytes get their own mapping.
_M_MMAP_THRESHOLD = -3
_MMAP_THRESHOLD_BYTES = 1 << 20


def return_large_blocks() -> None:
    """Have glibc give every array above 1 MB its own mapping, unmapped when freed.

    By default glibc raises that threshold each time a large block is freed (up to
    32 MB), so the night's big frames come from the heap afterwards and stay resident
    after they are freed, fragmented: after validation the process held several hundred
    MB it no longer used. With a fixed threshold a freed frame leaves the process at
    once. Nothing happens where glibc is not the allocator."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_BYTES)


def reset_peak() -> None:
    """Start the high-water mark again from the resident memory now (Linux; else nothing)."""
    with contextlib.suppress(OSError):
        _CLEAR_REFS.write_text("5")


def series_per_block(budget_mb: float, periods_per_series: float, resident_mb: float) -> int:
    """How many series one model call may take so the stage stays within `budget_mb`.

    `resident_mb` is what the process holds before the calls (interpreter, libraries,
    the night's tables); half of what is left of the budget goes to one call's frames,
    the other half is head room for the results kept between calls and the allocator's
    slack. Never fewer than `MIN_BLOCK` series (a call has a fixed cost of its own).
    """
    room = max(0.0, budget_mb - resident_mb) / 2
    per_series = max(1.0, periods_per_series) * MB_PER_SERIES_PERIOD
    return int(min(MAX_BLOCK, max(MIN_BLOCK, room / per_series)))


def _status_mb(field: str) -> float | None:
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def block_size(demand: pd.DataFrame, params: ForecastParams, budget_mb: float) -> int:
    """Series per model call for this night's demand (`series_per_block`), from the
    history's span in forecast periods and what the process holds now."""
    dates = demand["date"]
    span_days = (dates.max() - dates.min()).days + 1 if len(dates) else 1
    periods = span_days / params.days_per_period
    return series_per_block(budget_mb, periods, rss_mb() or 0.0)
