"""Quantile of protection-interval demand from out-of-sample errors of sums (the default).

The parametric quantile (`forecasting.uncertainty`) takes the model's in-sample fit as
its spread and assumes independent errors: a fit can explode (an RMSE in the millions on
a series selling 800 a month), and real errors are correlated over the horizon, so on
M3 the 90% quantile of 18-month totals covered 0.61 of them. Here the spread comes from
the model choice's own backtest instead: per series, window and step k, the error of the
SUM of the first k forecast periods, divided by a scale that no model fit touches (the
series' in-sample seasonal naive mean absolute error). The errors are pooled per demand
class and read off per step with the split-conformal rank ceil((n+1)q); an interval of
P periods takes the pool of step ceil(P), and beyond the backtest's window W the W-step
quantile grows as (P/W)^g, with g fixed by what the row was given (`growth_exponents`).

Why fixed: an error of the level makes the error of a sum grow linearly (g = 1), a level
that drifts as a random walk as P^1.5; which one dominates beyond the window cannot be
read from inside it. On M3 monthly (windows of 7 months, 18-month totals) at origins cut
from the train files, the growth measured inside the windows and the growth the totals
needed went opposite ways (the last 18 months of the train files measured 0.99-1.13 and
needed 1.44-1.53; the 18 months before those measured 1.24-1.32 and needed 0.83-0.92): a
measured growth (the rule before, floored at 1.75) is noise there.

Why two values: a combination's errors drift less than a single model's, since its
members' drifts partly cancel. At three origins cut from the M3 train files (3,591
window totals; benchmarks/README.md), 1.25 makes the combinations the full searches
choose cover 0.798 / 0.900 / 0.944 at 0.8 / 0.9 / 0.95, and 1.5 makes the single fast
forms cover 0.794 / 0.886 / 0.945 (with 1.25 they covered only 0.747 / 0.844 / 0.912).
The night's protection intervals are usually shorter than the window (lead time +
review against 4 weeks daily, 7 months monthly): there the pools are read directly and
no growth is used.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
import pandas as pd
from scipy import stats

from forecasting.scoring import QUANTILE_LEVELS, quantile_column
from forecasting.selection import Selection
from forecasting.uncertainty import COUNT_CLASSES

GROWTH_COMBINATION: Final = 1.25  # between a wrong level (1) and a drifting one (1.5)
GROWTH_SINGLE: Final = 1.5  # a single model's level drifts


def growth_exponents(selection: Selection) -> np.ndarray:
    """Per row: how a quantile grows beyond the backtest's window (rows a backtest did
    not choose for never read a pool, so their value is moot)."""
    growth = np.full(len(selection.chosen), GROWTH_SINGLE)
    for candidate, rows in selection.groups:
        if candidate.members:
            growth[rows] = GROWTH_COMBINATION
    return growth


def step_pools(
    selection: Selection, demand_class: np.ndarray, *, min_scores: int
) -> dict[str, np.ndarray]:
    """Per class with at least `min_scores` complete windows: scaled cumulative errors,
    sorted per step (scores x steps)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = selection.cum_error / selection.scale[:, None, None]
    steps = scores.shape[2]
    pools = {}
    for name in np.unique(demand_class[selection.chosen]):
        rows = selection.chosen & (demand_class == name)
        pool = scores[rows].reshape(-1, steps)
        pool = pool[np.isfinite(pool).all(axis=1)]
        if len(pool) >= min_scores:
            pools[str(name)] = np.sort(pool, axis=0)
    return pools


def scaled_quantile(
    pool: np.ndarray, level: float, periods: np.ndarray, growth: np.ndarray
) -> np.ndarray:
    """The `level` quantile of the scaled error of a P-period sum, per row's P and
    growth exponent."""
    n, steps = pool.shape
    rank = min(math.ceil((n + 1) * level), n) - 1
    by_step = pool[rank]
    step = np.clip(np.ceil(periods - 1e-9).astype(np.int64), 1, steps)
    value = by_step[step - 1]
    beyond = periods > steps
    if beyond.any():
        value = np.where(beyond, by_step[-1] * (periods / steps) ** growth, value)
    return np.asarray(value, dtype=np.float64)


def out_of_sample_quantile(
    parametric: np.ndarray,
    demand_mean: np.ndarray,
    mean_per_period: np.ndarray,
    protection_periods: np.ndarray,
    lead_time_std_periods: np.ndarray,
    service_level: np.ndarray,
    demand_class: np.ndarray,
    selection: Selection,
    *,
    min_scores: int,
) -> np.ndarray:
    """Calibrated quantile per row; rows without a backtest (new, dormant, short) or of
    a class with fewer than `min_scores` windows keep their `parametric` quantile.

    An uncertain lead time adds its normal term (mean x sigma_L) in quadrature above
    the median. One lookup per class and distinct service level: no row loop.
    """
    levels = np.clip(np.nan_to_num(service_level, nan=0.5), 1e-4, 1 - 1e-4)
    quantile = parametric.copy()
    scale = selection.scale
    growth = growth_exponents(selection)
    for name, pool in step_pools(selection, demand_class, min_scores=min_scores).items():
        in_class = (demand_class == name) & selection.chosen & np.isfinite(scale)
        for level in np.unique(levels[in_class]):
            rows = in_class & (levels == level)
            deviation = scaled_quantile(pool, float(level), protection_periods[rows], growth[rows])
            deviation = deviation * scale[rows]
            if level > 0.5:
                lead = stats.norm.ppf(level) * mean_per_period[rows] * lead_time_std_periods[rows]
                deviation = np.sqrt(np.maximum(deviation, 0.0) ** 2 + lead**2)
            value = np.maximum(demand_mean[rows] + deviation, 0.0)
            if name in COUNT_CLASSES:
                value = np.ceil(value - 1e-9)
            quantile[rows] = np.maximum(value, demand_mean[rows]) if level > 0.5 else value
    return quantile


def recalibrate_windows(
    windows: pd.DataFrame,
    selection: Selection,
    scored: pd.DataFrame,
    periods: int,
    *,
    min_scores: int,
) -> pd.DataFrame:
    """The backtest's per-window quantiles of the model, read as the night reads them.

    `selection` is the choice's backtest on the training part (rows of `scored`); each
    held-out window is a protection interval of `periods` periods.
    """
    model = (windows["method"] == "model").to_numpy()
    row = pd.Index(scored["unique_id"]).get_indexer(windows["unique_id"])
    known = row >= 0
    safe = np.where(known, row, 0)
    usable = model & known & selection.chosen[safe] & np.isfinite(selection.scale[safe])
    pools = step_pools(selection, scored["demand_class"].to_numpy(), min_scores=min_scores)
    growth = growth_exponents(selection)
    out = windows.copy()
    for name, pool in pools.items():
        rows = usable & (out["demand_class"] == name).to_numpy()
        mean = out.loc[rows, "mean"].to_numpy(np.float64)
        scale = selection.scale[safe[rows]]
        span = np.full(len(mean), float(periods))
        grows = growth[safe[rows]]
        for level in QUANTILE_LEVELS:
            value = np.maximum(mean + scaled_quantile(pool, level, span, grows) * scale, 0.0)
            if name in COUNT_CLASSES:
                value = np.ceil(value - 1e-9)
            out.loc[rows, quantile_column(level)] = (
                np.maximum(value, mean) if level > 0.5 else value
            )
    return out
