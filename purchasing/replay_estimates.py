"""What each review of a replay knows about demand when it does not refit the engine:
the trailing window's mean and spread, as a spreadsheet has them, and, for the policy's
sporadic series, the spread the nightly run would read from their own interval totals
(`forecasting.interval_totals`: their mean and variance), so `--estimates trailing`
replays the same policy.
"""

from __future__ import annotations

import numpy as np

from forecasting.interval_totals import interval_totals
from purchasing.replay import Estimator, SeriesTerms


def trailing_estimator(
    demand: np.ndarray,
    terms: SeriesTerms,
    window: int,
    own_totals: np.ndarray | None = None,
) -> Estimator:
    """Per-period mean and spread from the `window` periods before each review.

    Rows marked in `own_totals` get the mean and spread of their own protection-interval
    totals over that window, expressed per period (mean / P, variance / P) so the level
    rules, which multiply by P again, read the totals' own figures.
    """
    n = demand.shape[0]
    sums = np.concatenate([np.zeros((n, 1)), np.cumsum(demand, axis=1)], axis=1)
    squares = np.concatenate([np.zeros((n, 1)), np.cumsum(demand**2, axis=1)], axis=1)
    protection = (terms.lead_periods + terms.review_periods).astype(np.float64)
    marked = np.zeros(n, dtype=bool) if own_totals is None else np.asarray(own_totals, bool)

    def estimate(t: int, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        start = max(t - window, 0)
        span = t - start
        mean = (sums[rows, t] - sums[rows, start]) / max(span, 1)
        var = (squares[rows, t] - squares[rows, start]) / max(span, 1) - mean**2
        std = np.sqrt(np.maximum(var, 0.0))
        own = np.flatnonzero(marked[rows])
        if own.size and span > 0:
            mean[own], std[own] = _own_totals(
                demand[rows[own], start:t], protection[rows[own]], mean[own], std[own]
            )
        return mean, std

    return estimate


def _own_totals(
    history: np.ndarray, periods: np.ndarray, mean: np.ndarray, std: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per-period mean and spread whose P-fold figures are the mean and variance of the
    rows' own P-period totals over `history` (rows x periods); `mean` and `std` where the
    history holds too few of them (`IntervalTotals.trusted`)."""
    rows, span = history.shape
    codes = np.repeat(np.arange(rows), span)
    totals = interval_totals(history.ravel(), codes, rows, periods, span)
    usable = totals.trusted()
    own_mean = np.where(usable, totals.mean / periods, mean)
    own_std = np.where(usable, np.sqrt(np.maximum(totals.variance, 0.0) / periods), std)
    return own_mean, own_std
