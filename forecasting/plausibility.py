"""The plausibility guard: no forecast may propose a quantity the item has never come near.

A model's in-sample fit can explode (measured on real monthly data: a Theta fit with an
RMSE in the millions on a series selling about 800 a month gave a 95% quantile of 32.7
million units). The quantity then looks like any other number to purchasing; only a
value limit stopped it. Here every row's service-level quantile of protection-interval
demand is compared with the largest demand the series ever had over an interval of the
same length: a non-finite quantile, or one above `plausible_multiple` times that, is
implausible. Such a row falls back to the next candidate (the historic mean and
spread, the engine's own fallback) and keeps a sentence saying why, so purchasing can
hold its line for a person whatever its value (`IMPLAUSIBLE_FORECAST`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from forecasting.uncertainty import COUNT_CLASSES, protection_demand_std, protection_quantile
from forecasting.windows import in_code_dtype, window_ends


def largest_interval_demand(series: pd.DataFrame, n_series: int, periods: np.ndarray) -> np.ndarray:
    """Per series code, the largest total demand over `periods[code]` consecutive periods.

    `series` is the prepared long frame (sorted by series, then date; `unique_id` a
    categorical whose codes are the series codes). A series shorter than its interval
    gives its whole total scaled up to the interval's length, so a young item is not
    judged against less history than it could have. One cumulative sum and one pass
    over the window ends (`forecasting.windows`): no per-series loop. NaN for a series
    with no history.
    """
    codes = series["unique_id"].cat.codes.to_numpy()
    y = np.nan_to_num(series["y"].to_numpy(np.float64), nan=0.0)
    every = in_code_dtype(np.arange(n_series), codes)
    starts = np.searchsorted(codes, every, side="left")
    ends = np.searchsorted(codes, every, side="right")
    lengths = ends - starts
    cumulative = np.concatenate([[0.0], np.cumsum(y)])
    out = np.full(n_series, np.nan)
    windows = np.maximum(1, np.ceil(np.nan_to_num(periods, nan=1.0) - 1e-9)).astype(np.int64)
    short = (lengths > 0) & (lengths <= windows)
    out[short] = (
        (cumulative[ends[short]] - cumulative[starts[short]]) * windows[short] / lengths[short]
    )
    # Window sums ending at every position whose window lies in one longer series.
    long_ends = np.where(lengths > windows, ends, starts)  # the others: no window
    for low, _, owner, position, count in window_ends(starts, long_ends, windows):
        if not len(position):
            continue
        sums = cumulative[position + 1] - cumulative[position + 1 - windows[owner]]
        read = np.flatnonzero(count)
        out[low + read] = np.maximum.reduceat(sums, (np.cumsum(count) - count)[read])
    return out


def young_item_sales(precedent: float, periods: float, history_periods: int | None) -> float | None:
    """What an item younger than one interval really sold in its whole life, when its
    precedent is that total scaled up to the interval (`largest_interval_demand`); None
    for an item with a real window of that length (its precedent was sold) or unknown
    history. A buyer must not read a scaled figure as the most it ever sold."""
    window = max(1, math.ceil(periods - 1e-9))
    if history_periods is None or not 0 < history_periods < window:
        return None
    return precedent * history_periods / window


def implausible(quantile: np.ndarray, largest: np.ndarray, multiple: float) -> np.ndarray:
    """Rows whose quantile is non-finite, or above `multiple` x the largest interval
    demand seen (rows with no history to compare with are judged on finiteness only)."""
    known = np.isfinite(largest) & (largest > 0)
    too_large = known & (quantile > multiple * np.where(known, largest, 0.0))
    return ~np.isfinite(quantile) | too_large


def guard_summary(
    summary: pd.DataFrame,
    means: np.ndarray,
    table: pd.DataFrame,
    largest: np.ndarray,
    multiple: float,
) -> np.ndarray:
    """Replace implausible rows in place by the historic mean and spread; their mask.

    `largest` is `largest_interval_demand` per row of `table` (the rows of `summary`
    and `means`). The replaced rows' `model` becomes HistoricAverage, `fallback` and
    `implausible` name the rejected model and quantity.
    """
    quantile = summary["demand_quantile"].to_numpy(np.float64)
    bad = implausible(quantile, largest, multiple)
    summary["implausible"] = None
    if not bad.any():
        return bad
    rows = np.flatnonzero(bad)
    mean = table["history_mean"].to_numpy(np.float64)[rows]
    sigma = table["history_std"].to_numpy(np.float64)[rows]
    protection = table["protection_periods"].to_numpy(np.float64)[rows]
    means[rows] = mean[:, None]
    demand_mean = mean * protection
    std = protection_demand_std(
        sigma, protection, mean, table["lead_time_std_periods"].to_numpy(np.float64)[rows]
    )
    count_like = table["demand_class"].isin(COUNT_CLASSES).to_numpy()[rows]
    level = summary["service_level"].to_numpy(np.float64)[rows]
    replacement = protection_quantile(demand_mean, std, level, count_like)
    sentence = [
        f"{model} gave an implausible quantity ({_units(q)} units over the protection "
        f"interval, against at most {_units(most)} in any interval of that length so far; "
        f"limit {multiple:g}x); historic average used"
        for model, q, most in zip(
            summary["model"].to_numpy()[rows], quantile[rows], largest[rows], strict=True
        )
    ]  # one sentence per implausible row only: a handful a night
    column = summary.columns.get_loc
    summary.iloc[rows, column("model")] = "HistoricAverage"
    summary.iloc[rows, column("fallback")] = sentence
    summary.iloc[rows, column("implausible")] = sentence
    summary.iloc[rows, column("mean_per_period")] = mean
    summary.iloc[rows, column("demand_mean")] = demand_mean
    summary.iloc[rows, column("demand_std")] = std
    summary.iloc[rows, column("demand_quantile")] = replacement
    return bad


def _units(value: float) -> str:
    return f"{value:,.0f}" if math.isfinite(value) else "a non-finite number of"
