"""How a sporadic item's demand over a protection interval is distributed, read from the
item's own history of interval totals rather than from a per-period mean and variance.

The per-period spread times P (`forecasting.uncertainty.protection_demand_std`) assumes
the periods of an interval are independent. Real sporadic demand is not: sales come in
runs and quiet spells, so totals over two or three weeks vary far more than P x sigma^2
says. Measured on the M5 subset (docs/sporadic-demand.md), that assumption alone kept
the fill rate of intermittent and lumpy items 6-10 points under its target, and no cap
or loss function could make it up. Here the mean and variance come from the totals
themselves: every window of P consecutive periods in the item's recent history
(overlapping windows: one per period), one-off bulk orders left out
(`forecasting.cleansing.without_spikes`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecasting.windows import ends_and_first_sales, window_ends

# At least this many whole intervals of history before the item's own totals are
# trusted: with fewer, the variance of the sums rests on a handful of overlapping
# windows and the class's typical dispersion is the better guess.
MIN_INTERVALS = 2.0


@dataclass(frozen=True)
class IntervalTotals:
    """Per series code: mean and variance of its P-period totals over the recent span,
    and how many whole intervals that span holds (NaN / 0 where it had none)."""

    mean: np.ndarray
    variance: np.ndarray
    intervals: np.ndarray

    def trusted(self) -> np.ndarray:
        """Series with enough history, and some demand in it, to be read on their own."""
        return (self.intervals >= MIN_INTERVALS) & (np.nan_to_num(self.mean) > 0)


def interval_totals(
    y: np.ndarray,
    codes: np.ndarray,
    n_series: int,
    periods: np.ndarray,
    recent: int,
    wanted: np.ndarray | None = None,
) -> IntervalTotals:
    """Moments of the totals over `periods[code]` consecutive periods, per series.

    `y` is a long array sorted by series code (`codes`, ascending, contiguous) and, within
    a series, by period, every series ending at the same last period (PreparedDemand).
    Only each series' last `recent` periods since its first sale count. A fractional
    interval (a lead time of 16.5 days) interpolates between the whole lengths around
    it. One cumulative sum and one pass over the window ends of the two whole lengths
    (`forecasting.windows`): no per-series loop.
    `wanted` (a mask per code) limits the work to those series; the others get NaN.
    """
    y = np.nan_to_num(np.asarray(y, dtype=np.float64), nan=0.0)
    codes = np.asarray(codes)
    ends, first = ends_and_first_sales(y, codes, n_series)
    starts = np.maximum(first, ends - max(int(recent), 1))
    if wanted is not None:  # an empty span: skipped by every window length
        starts = np.where(wanted, starts, ends)
    length = (ends - starts).astype(np.float64)
    periods = np.maximum(np.nan_to_num(np.asarray(periods, dtype=np.float64), nan=1.0), 1.0)
    low = np.floor(periods + 1e-9).astype(np.int64)
    high = np.ceil(periods - 1e-9).astype(np.int64)
    share = np.clip(periods - low, 0.0, 1.0)
    moments = {
        key: _window_moments(y, starts, ends, lengths)
        for key, lengths in (("low", low), ("high", high))
    }
    mean = (1 - share) * moments["low"][0] + share * moments["high"][0]
    variance = (1 - share) * moments["low"][1] + share * moments["high"][1]
    with np.errstate(divide="ignore", invalid="ignore"):
        intervals = np.where(periods > 0, length / periods, 0.0)
    return IntervalTotals(mean=mean, variance=variance, intervals=intervals)


def _window_moments(
    y: np.ndarray, starts: np.ndarray, ends: np.ndarray, window: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of the sums of `window[code]` consecutive values lying inside
    [starts, ends) of each series; NaN where the span is shorter than the window."""
    n = len(starts)
    mean = np.full(n, np.nan)
    variance = np.full(n, np.nan)
    cumulative = np.concatenate([[0.0], np.cumsum(y)])
    window = np.asarray(window, np.int64)
    for low, high, owner, ends_at, _ in window_ends(starts, ends, window):
        # A window ending at `ends_at` covers [ends_at - w + 1, ends_at], inside the span.
        sums = cumulative[ends_at + 1] - cumulative[ends_at + 1 - window[owner]]
        local, size = owner - low, high - low
        count = np.bincount(local, minlength=size).astype(np.float64)
        total = np.bincount(local, weights=sums, minlength=size)
        squares = np.bincount(local, weights=sums * sums, minlength=size)
        rows = np.flatnonzero(count > 0)
        mean[low + rows] = total[rows] / count[rows]
        variance[low + rows] = np.maximum(squares[rows] / count[rows] - mean[low + rows] ** 2, 0.0)
    return mean, variance


def dispersion_ratio(own_variance: np.ndarray, independent_variance: np.ndarray) -> float:
    """Median of own-totals variance over P x sigma^2 among the series read on their own,
    never below 1: what a short history's spread is widened by, since its own totals
    cannot be read yet. 1 when no series could be read."""
    known = (
        np.isfinite(own_variance) & np.isfinite(independent_variance) & (independent_variance > 0)
    )
    if not known.any():
        return 1.0
    return max(1.0, float(np.median(own_variance[known] / independent_variance[known])))
