"""The spread and quantile of demand over the protection interval for sporadic items
(intermittent, lumpy, and new items with enough history), from their own interval totals.

Read with the reasons in `forecasting.interval_totals` and docs/sporadic-demand.md. Every
other row keeps what the engine gave it. The distribution stays the negative binomial
of `forecasting.uncertainty` (whole units, skewed to the right), now with the variance
the item's totals actually showed; purchasing reads its fill-rate level from the same
mean and spread (`purchasing.service_measure`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.classify import INTERMITTENT, LUMPY, NEW
from forecasting.cleansing import Capped, without_spikes
from forecasting.interval_totals import (
    dispersion_ratio,
    interval_totals,
    own_total_variance,
)
from forecasting.params import ForecastParams, periods_in_days
from forecasting.scoring import QUANTILE_LEVELS, quantile_column
from forecasting.uncertainty import protection_quantile

SPORADIC_CLASSES = (INTERMITTENT, LUMPY)
OWN_TOTALS = "own interval totals"
CLASS_DISPERSION = "class dispersion"


def sporadic_spread(
    summary: pd.DataFrame, table: pd.DataFrame, capped: Capped, params: ForecastParams
) -> None:
    """Replace `demand_std` and `demand_quantile` of sporadic rows in place, and say in
    `spread_basis` where each row's spread came from (None: the model's, unchanged).

    Rows whose history holds too few intervals keep the model's spread widened by their
    class's typical dispersion (the median ratio of own-totals variance to P x sigma^2
    among the rows that could be read): a short history of a sporadic item is no reason
    to assume its sales are independent. New items use their own totals only.
    """
    classes = table["demand_class"].to_numpy()
    codes = table["series_code"].to_numpy()
    candidates = np.isin(classes, (*SPORADIC_CLASSES, NEW)) & (codes >= 0)
    if not candidates.any():
        return
    series = capped.prepared.series
    n_series = len(capped.prepared.ids)
    protection = table["protection_periods"].to_numpy(np.float64)
    by_code = np.ones(n_series)
    wanted = np.zeros(n_series, dtype=bool)
    by_code[codes[candidates]] = protection[candidates]
    wanted[codes[candidates]] = True
    totals = interval_totals(
        without_spikes(capped, params.spike_cap_factor),
        series["unique_id"].cat.codes.to_numpy(),
        n_series,
        by_code,
        periods_in_days(params.interval_history_days, params.frequency),
        wanted,
    )
    safe = np.maximum(codes, 0)
    trusted = candidates & totals.trusted()[safe]
    demand_mean = summary["demand_mean"].to_numpy(np.float64)
    per_period = summary["mean_per_period"].to_numpy(np.float64)
    lead = (per_period * table["lead_time_std_periods"].to_numpy(np.float64)) ** 2
    model_variance = np.maximum(summary["demand_std"].to_numpy(np.float64) ** 2 - lead, 0.0)
    own = own_total_variance(totals.mean[safe], totals.variance[safe], demand_mean)
    variance = np.where(trusted, own, model_variance)
    basis = np.full(len(table), None, dtype=object)
    basis[trusted] = OWN_TOTALS
    history_variance = protection * table["history_std"].to_numpy(np.float64) ** 2
    for name in SPORADIC_CLASSES:
        in_class = candidates & (classes == name)
        ratio = dispersion_ratio(own[in_class & trusted], history_variance[in_class & trusted])
        widen = in_class & ~trusted
        variance[widen] = model_variance[widen] * ratio
        basis[widen] = CLASS_DISPERSION
    rows = trusted | (np.isin(classes, SPORADIC_CLASSES) & candidates)
    std = np.sqrt(variance + lead)
    level = summary["service_level"].to_numpy(np.float64)
    quantile = summary["demand_quantile"].to_numpy(np.float64).copy()
    quantile[rows] = protection_quantile(
        demand_mean[rows], std[rows], level[rows], np.ones(rows.sum(), dtype=bool)
    )
    summary["demand_std"] = np.where(rows, std, summary["demand_std"].to_numpy(np.float64))
    summary["demand_quantile"] = quantile
    summary["spread_basis"] = basis


def sporadic_windows(
    windows: pd.DataFrame, rows: np.ndarray, capped: Capped, params: ForecastParams, periods: int
) -> pd.DataFrame:
    """A backtest's per-window quantiles of the `rows` marked (the model's windows of
    sporadic series) read as the night reads them: a negative binomial with the window's
    forecast mean and the own interval totals of the history before its cutoff.

    `windows` has unique_id, cutoff, mean and the `q*` columns (`forecasting.scoring`);
    `capped` is the backtest's history, spikes capped, ids in its own order.
    """
    out = windows.copy()
    series = capped.prepared.series
    n_series = len(capped.prepared.ids)
    y = without_spikes(capped, params.spike_cap_factor)
    codes = series["unique_id"].cat.codes.to_numpy()
    dates = series["ds"].to_numpy()
    window_codes = pd.Index(capped.prepared.ids["unique_id"]).get_indexer(out["unique_id"])
    recent = periods_in_days(params.interval_history_days, params.frequency)
    cutoffs = out["cutoff"].to_numpy()
    for cutoff in np.unique(cutoffs[rows]):
        at = np.flatnonzero(rows & (cutoffs == cutoff) & (window_codes >= 0))
        wanted = np.zeros(n_series, dtype=bool)
        wanted[window_codes[at]] = True
        before = dates <= cutoff
        totals = interval_totals(
            y[before], codes[before], n_series, np.full(n_series, float(periods)), recent, wanted
        )
        mean = out["mean"].to_numpy(np.float64)[at]
        code = window_codes[at]
        variance = own_total_variance(totals.mean[code], totals.variance[code], mean)
        usable = totals.trusted()[code] & np.isfinite(variance)
        at, mean, std = at[usable], mean[usable], np.sqrt(variance[usable])
        for level in QUANTILE_LEVELS:
            levels = np.full(at.size, level)
            counted = np.ones(at.size, dtype=bool)
            out.iloc[at, out.columns.get_loc(quantile_column(level))] = protection_quantile(
                mean, std, levels, counted
            )
    return out
