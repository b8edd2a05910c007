"""Quantile of total demand over the protection interval, calibrated on backtest errors.

The parametric quantile (`forecasting.uncertainty`) assumes independent per-period
errors of a constant spread; real errors of a smoothing model are correlated over the
horizon and demand is skewed, so it under-covers where that fails (lumpy items in the
sample data: ~0.73 of totals at a 0.9 quantile). This is split conformal prediction on
the cumulative horizon: the backtest of the model choice leaves, per series and window,
the actual and the forecast total; their difference over the model's own spread for
that many periods is a normalised score, pooled per demand class (a single series has
only a couple of windows). The q-quantile of the pool, with the finite-sample
correction ceil((n+1)q)/n, replaces the normal or count distribution's z-value.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from forecasting.scoring import QUANTILE_LEVELS, quantile_column
from forecasting.selection import Selection
from forecasting.uncertainty import COUNT_CLASSES


def class_pools(
    selection: Selection, sigma: np.ndarray, demand_class: np.ndarray, *, min_scores: int
) -> dict[str, np.ndarray]:
    """Sorted normalised backtest scores per class with at least `min_scores` of them.

    `sigma` is each row's per-period spread (the in-sample RMSE of its model).
    """
    scale = sigma[:, None] * math.sqrt(selection.window_periods)
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = (selection.window_actual - selection.window_mean) / scale
    valid = np.isfinite(scores) & (scale > 0)
    pools = {}
    for name in np.unique(demand_class[selection.chosen]):
        in_class = demand_class == name
        pool = np.sort(scores[in_class][valid[in_class]])
        if len(pool) >= min_scores:
            pools[str(name)] = pool
    return pools


def calibrated(
    pool: np.ndarray, level: float, mean: np.ndarray, std: np.ndarray, *, count_like: bool
) -> np.ndarray:
    """mean + z * std with z the conformal `level` quantile of `pool` (sorted)."""
    rank = min(math.ceil((len(pool) + 1) * level), len(pool))
    value = np.maximum(mean + pool[rank - 1] * std, 0.0)
    if count_like:
        value = np.ceil(value - 1e-9)  # whole units, as the count distribution gives
    # As in the parametric rule: above the median, never below the mean.
    return np.maximum(value, mean) if level > 0.5 else value


def conformal_quantile(
    parametric: np.ndarray,
    demand_mean: np.ndarray,
    demand_std: np.ndarray,
    service_level: np.ndarray,
    demand_class: np.ndarray,
    sigma: np.ndarray,
    selection: Selection,
    *,
    min_scores: int,
) -> np.ndarray:
    """Calibrated quantile per row; rows of a class with fewer than `min_scores`
    scores (or no backtest at all: new, dormant) keep their `parametric` quantile.

    One `np.sort` per class and one lookup per distinct service level: no row loop.
    """
    levels = np.clip(np.nan_to_num(service_level, nan=0.5), 1e-4, 1 - 1e-4)
    quantile = parametric.copy()
    pools = class_pools(selection, sigma, demand_class, min_scores=min_scores)
    for name, pool in pools.items():
        in_class = demand_class == name
        for level in np.unique(levels[in_class]):
            rows = in_class & (levels == level)
            quantile[rows] = calibrated(
                pool, float(level), demand_mean[rows], demand_std[rows],
                count_like=name in COUNT_CLASSES,
            )  # fmt: skip
    return quantile


def recalibrate(
    windows: pd.DataFrame, selection: Selection, scored: pd.DataFrame, min_scores: int
) -> pd.DataFrame:
    """The backtest's per-window model quantiles, calibrated as the engine would be.

    `selection` is the choice's backtest on the training part (rows of `scored`); each
    series' spread is its model's in-sample RMSE at the first cutoff, as in the night.
    """
    model = (windows["method"] == "model").to_numpy()
    first = model & (windows["cutoff"] == windows.loc[model, "cutoff"].min()).to_numpy()
    sigma = (
        windows.loc[first].set_index("unique_id")["sigma"].reindex(scored["unique_id"]).to_numpy()
    )
    classes = scored["demand_class"].to_numpy()
    pools = class_pools(selection, sigma, classes, min_scores=min_scores)
    out = windows.copy()
    for name, pool in pools.items():
        rows = model & (out["demand_class"] == name).to_numpy()
        mean, std = out.loc[rows, "mean"].to_numpy(), out.loc[rows, "std"].to_numpy()
        for level in QUANTILE_LEVELS:
            out.loc[rows, quantile_column(level)] = calibrated(
                pool, level, mean, std, count_like=name in COUNT_CLASSES
            )
    return out
