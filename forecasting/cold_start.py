"""Forecasts for items a statistical model cannot fit: new and dormant ones.

New items have too little history to fit anything and dormant ones have stopped
selling; both still need a forecast, so each gets a documented rule instead of a model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.blocks import ForecastBlock
from forecasting.classify import DORMANT, NEW
from forecasting.params import ForecastParams
from forecasting.prepare import PreparedDemand


def forecast_new_items(table: pd.DataFrame, horizon: int) -> ForecastBlock:
    """Too little history for a model.

    With some history: its mean per period. With none: the mean per-period demand of
    the active items of the same category at the same location, else of the category
    anywhere, else zero. Either way the per-period spread is at least the mean
    (coefficient of variation >= 1): a wide interval, because nothing about this item's
    own variability is known yet.
    """
    rows = np.flatnonzero(table["demand_class"].to_numpy() == NEW)
    history = table["history_periods"].to_numpy()[rows]
    mean = table["history_mean"].to_numpy()[rows].astype(float)
    std = table["history_std"].to_numpy()[rows].astype(float)
    model = np.full(len(rows), "new:history_mean", dtype=object)

    peers = table.loc[(table["history_periods"] > 0) & (table["category"] != "")]
    by_place = peers.groupby(["category", "location"])["history_mean"].mean()
    by_category = peers.groupby("category")["history_mean"].mean()
    unsold = table.iloc[rows]
    place = by_place.reindex(pd.MultiIndex.from_frame(unsold[["category", "location"]]))
    category = by_category.reindex(unsold["category"])
    place_mean, category_mean = place.to_numpy(), category.to_numpy()
    none = history == 0
    use_place = none & np.isfinite(place_mean)
    use_category = none & ~use_place & np.isfinite(category_mean)
    mean[use_place], model[use_place] = place_mean[use_place], "new:category_location_profile"
    mean[use_category], model[use_category] = category_mean[use_category], "new:category_profile"
    nothing = none & ~use_place & ~use_category
    mean[nothing], model[nothing] = 0.0, "new:no_history"
    rmse = np.where(none, np.nan, std)
    sigma = np.maximum(std, mean)
    means = np.repeat(mean[:, None], horizon, axis=1)
    return ForecastBlock(rows, means, sigma, rmse, model, np.full(len(rows), None, dtype=object))


def forecast_dormant_items(
    table: pd.DataFrame, prepared: PreparedDemand, params: ForecastParams, horizon: int
) -> ForecastBlock:
    """No demand for `dormant_periods`: forecast the recent, decayed level.

    The level is an exponentially weighted mean with a half-life of `dormant_periods`,
    so a long silence weighs at least as much as everything before it: the mean is
    small (not zero: the silence may be a stock-out, not a dead item) and keeps
    shrinking while the silence lasts. Spread is Poisson-like (variance = mean).
    """
    rows = np.flatnonzero(table["demand_class"].to_numpy() == DORMANT)
    codes = table["series_code"].to_numpy()[rows]
    level = _decayed_level(prepared, codes, half_life=params.dormant_periods)
    means = np.repeat(level[:, None], horizon, axis=1)
    model = np.full(len(rows), "dormant:decayed_level", dtype=object)
    none = np.full(len(rows), None, dtype=object)
    return ForecastBlock(rows, means, np.sqrt(level), np.full(len(rows), np.nan), model, none)


def _decayed_level(prepared: PreparedDemand, codes: np.ndarray, *, half_life: int) -> np.ndarray:
    """Exponentially weighted mean of each selected series, newest period weighing 1.

    Only the rows of the selected series are read (each a run of rows, the prepared
    series being sorted by code): the dormant items are a few of the catalogue."""
    series_code = prepared.series["unique_id"].cat.codes.to_numpy()
    n_series = len(prepared.ids)
    length = np.bincount(series_code, minlength=n_series)
    start = np.cumsum(length) - length
    count = length[codes]
    owner = np.repeat(np.arange(len(codes)), count)
    rows = np.arange(int(count.sum())) + np.repeat(start[codes] - (np.cumsum(count) - count), count)
    age = (start[codes] + count - 1)[owner] - rows
    weight = 0.5 ** (age / half_life)
    y = prepared.series["y"].to_numpy(np.float64)[rows]
    total = np.bincount(owner, weights=weight * y, minlength=len(codes))
    norm = np.bincount(owner, weights=weight, minlength=len(codes))
    return np.divide(total, norm, out=np.zeros(len(codes)), where=norm > 0)
