"""One-off spikes in the history (a project order, a bulk buyer, a typo that passed as a
number) capped before the models see them, and recorded.

A lumpy item that sells a dozen units now and then and once sold 1,500 in a day is
forecast, by any mean-based model, to sell twenty a day for the next year, and the order
follows. Planners call removing such days demand cleansing; here a day is capped, not
removed, at `spike_cap_factor` times the median of the series' non-zero demand (20x by
default: ordinary lumps of a lognormal seller rarely reach it, a project order does).
The raw history stays what the buyer sees and what DEMAND_ANOMALY compares against.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from forecasting.prepare import PreparedDemand


@dataclass(frozen=True)
class Capped:
    """The history the models see, and per series (code = row of `prepared.ids`) how many
    periods were capped and at what level (NaN where the rule did not apply)."""

    prepared: PreparedDemand
    periods: np.ndarray
    cap: np.ndarray


def cap_spikes(prepared: PreparedDemand, factor: float, min_sales: int) -> Capped:
    """Cap every period above `factor` x the median non-zero demand of its series.

    Only series with at least `min_sales` non-zero periods: below that a median says
    little about what a normal sale is. `factor <= 0` turns the rule off.
    """
    n = len(prepared.ids)
    cap = np.full(n, np.nan)
    if factor <= 0 or prepared.series.empty:
        return Capped(prepared, np.zeros(n, dtype=np.int64), cap)
    series = prepared.series
    codes = series["unique_id"].cat.codes.to_numpy()
    y = series["y"].to_numpy()
    sold = y > 0
    counts = np.bincount(codes[sold], minlength=n)
    # Median of the non-zero values per series: sort by (series, value), pick the middle.
    order = np.lexsort((y[sold], codes[sold]))
    values = y[sold][order].astype(np.float64)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    enough = counts >= max(min_sales, 1)
    low = starts[enough] + (counts[enough] - 1) // 2
    high = starts[enough] + counts[enough] // 2
    cap[enough] = factor * (values[low] + values[high]) / 2.0
    limit = cap[codes]
    over = np.isfinite(limit) & (y > limit)
    periods = np.bincount(codes[over], minlength=n).astype(np.int64)
    if not over.any():
        return Capped(prepared, periods, np.where(periods > 0, cap, np.nan))
    capped_y = y.copy()
    capped_y[over] = limit[over].astype(capped_y.dtype)
    # the ids and dates are the raw history's own arrays, not copies (a frame of two-year
    # daily series is about 100 MB at 10,000 of them, and both stay through the forecast)
    columns = {name: capped_y if name == "y" else series[name] for name in series.columns}
    frame = pd.DataFrame(columns, index=series.index, copy=False)
    return Capped(replace(prepared, series=frame), periods, np.where(periods > 0, cap, np.nan))


def without_spikes(capped: Capped, factor: float) -> np.ndarray:
    """The capped history's `y` with each capped period set to its series' median
    non-zero demand (the cap / `factor`): an ordinary sale instead of a one-off.

    The models may see a capped spike (the cap keeps it from setting the level); the
    spread of interval totals must not, or one project order in two years sets the
    safety stock of every interval that could contain it (`forecasting.interval_totals`).
    """
    series = capped.prepared.series
    y = series["y"].to_numpy(np.float64)
    if factor <= 0 or not np.isfinite(capped.cap).any():
        return y
    limit = capped.cap[series["unique_id"].cat.codes.to_numpy()]
    # The capped values were stored in y's own dtype: compare at that precision.
    spike = np.isfinite(limit) & (y >= limit.astype(series["y"].dtype) - 1e-6)
    return np.where(spike, limit / factor, y)
