"""Scale-free forecast errors per series, computed for all series at once.

Every function takes flat arrays with an integer series `codes` array (0..n-1) beside
them, so a whole catalogue is scored with a few `bincount`s instead of a loop.

The scale is the in-sample error of the seasonal naive forecast (lag = the season, or
lag 1 where the history is shorter than one season and a period), as the M4 and Monash
benchmarks do: a MASE or RMSSE of 1 means "as good as repeating last season". On
intermittent demand MASE rewards an all-zero forecast (the median of mostly zeros), so
it must never choose models there on its own: RMSSE (which the mean minimises) and the
coverage of the quantiles are the judges.
"""

from __future__ import annotations

import numpy as np


def per_series_mean(values: np.ndarray, codes: np.ndarray, n_series: int) -> np.ndarray:
    """Mean of the finite `values` of each series; NaN for a series with none."""
    finite = np.isfinite(values)
    sums = np.bincount(codes, weights=np.where(finite, values, 0.0), minlength=n_series)
    counts = np.bincount(codes, weights=finite.astype(np.float64), minlength=n_series)
    return np.divide(sums, counts, out=np.full(n_series, np.nan), where=counts > 0)


def naive_scales(
    y: np.ndarray, codes: np.ndarray, n_series: int, season: int
) -> tuple[np.ndarray, np.ndarray]:
    """In-sample mean absolute and mean squared error of the seasonal naive forecast.

    `y` must be sorted by series then time, each series contiguous. A series with no
    pair `season` periods apart is scaled by the lag-1 (naive) error instead; a scale of
    zero (a constant history) is NaN, because no error can be scaled by it.
    """
    y = np.asarray(y, dtype=np.float64)
    start = np.r_[True, codes[1:] != codes[:-1]] if len(codes) else np.zeros(0, dtype=bool)
    first = np.maximum.accumulate(np.where(start, np.arange(len(codes)), 0))
    position = np.arange(len(codes)) - first

    def lagged(lag: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        ok = position >= lag
        diff = np.zeros(len(y))
        diff[ok] = y[ok] - y[np.flatnonzero(ok) - lag]
        count = np.bincount(codes, weights=ok.astype(np.float64), minlength=n_series)
        absolute = np.bincount(codes, weights=np.abs(diff), minlength=n_series)
        squared = np.bincount(codes, weights=diff**2, minlength=n_series)
        return count, absolute, squared

    count, absolute, squared = lagged(max(1, season))
    count1, absolute1, squared1 = lagged(1)
    short = count == 0
    count = np.where(short, count1, count)
    absolute = np.where(short, absolute1, absolute)
    squared = np.where(short, squared1, squared)
    with np.errstate(divide="ignore", invalid="ignore"):
        mae = np.where(count > 0, absolute / count, np.nan)
        mse = np.where(count > 0, squared / count, np.nan)
    return np.where(mae > 0, mae, np.nan), np.where(mse > 0, mse, np.nan)


def mase(
    actual: np.ndarray, forecast: np.ndarray, codes: np.ndarray, mae_scale: np.ndarray
) -> np.ndarray:
    """Mean absolute error of each series over its scale (NaN where it has none)."""
    error = per_series_mean(np.abs(forecast - actual), codes, len(mae_scale))
    return error / mae_scale


def rmsse(
    actual: np.ndarray, forecast: np.ndarray, codes: np.ndarray, mse_scale: np.ndarray
) -> np.ndarray:
    """Root mean squared scaled error of each series (the M5 competition's measure)."""
    error = per_series_mean((forecast - actual) ** 2, codes, len(mse_scale))
    return np.sqrt(error / mse_scale)


def scaled_bias(
    actual: np.ndarray, forecast: np.ndarray, codes: np.ndarray, mae_scale: np.ndarray
) -> np.ndarray:
    """Mean of forecast minus actual over the same scale as MASE: > 0 over-forecasts.

    Scaled rather than relative to the actual total, so a series that sold nothing in
    the test windows still has a bias and series of any size average fairly.
    """
    return per_series_mean(forecast - actual, codes, len(mae_scale)) / mae_scale


def coverage(actual_totals: np.ndarray, quantiles: np.ndarray) -> float:
    """Share of actual totals at or below their quantile (NaN pairs left out).

    For a calibrated q-quantile the share is near q.
    """
    ok = np.isfinite(actual_totals) & np.isfinite(quantiles)
    if not ok.any():
        return float("nan")
    return float(np.mean(actual_totals[ok] <= quantiles[ok]))
