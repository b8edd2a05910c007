"""Demand over the protection interval of sporadic items (intermittent, lumpy, and new
items with enough history), read from their own interval totals: its mean, spread and
quantile (reasons in `forecasting.interval_totals` and docs/sporadic-demand.md).

The distribution is a negative binomial (`forecasting.uncertainty`: whole units, skewed
to the right) with the mean and variance of the item's own totals over every window of
the interval's length in its last `interval_history_days`; purchasing reads the
fill-rate level from the same mean and spread (`purchasing.service_measure`). The
model's per-period forecast is kept beside it (the path, monitoring, the backtest's
errors) but does not set the stock: on M5 the chosen sporadic models over-forecast the
year replayed by 5-12% and a level taken from them bought 7-9 points more fill than the
target asked (docs/sporadic-demand.md). Every other row keeps what the engine gave it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.classify import INTERMITTENT, LUMPY, NEW
from forecasting.cleansing import Capped, without_spikes
from forecasting.interval_totals import IntervalTotals, dispersion_ratio, interval_totals
from forecasting.params import ForecastParams, periods_in_days
from forecasting.scoring import QUANTILE_LEVELS, quantile_column
from forecasting.uncertainty import protection_quantile

SPORADIC_CLASSES = (INTERMITTENT, LUMPY)
OWN_TOTALS = "own interval totals"
CLASS_DISPERSION = "class dispersion"


def sporadic_demand(
    summary: pd.DataFrame, table: pd.DataFrame, capped: Capped, params: ForecastParams
) -> None:
    """Replace the mean, spread and quantile of sporadic rows in place, and say in
    `spread_basis` where each came from (None: the model's, unchanged).

    Rows whose history holds too few intervals keep the model's mean and spread, the
    spread widened by their class's typical dispersion (the median ratio of own-totals
    variance to P x sigma^2 among the rows that could be read): a short history of a
    sporadic item is no reason to assume its sales are independent. New items are read
    from their own totals only when they have enough of them.
    """
    classes = table["demand_class"].to_numpy()
    codes = table["series_code"].to_numpy()
    candidates = np.isin(classes, (*SPORADIC_CLASSES, NEW)) & (codes >= 0)
    if not candidates.any():
        return
    protection = table["protection_periods"].to_numpy(np.float64)
    totals = _totals(capped, codes, protection, candidates, params)
    safe = np.maximum(codes, 0)
    trusted = candidates & totals.trusted()[safe]
    mean = np.where(trusted, totals.mean[safe], summary["demand_mean"].to_numpy(np.float64))
    with np.errstate(divide="ignore", invalid="ignore"):
        per_period = np.where(
            trusted, mean / protection, summary["mean_per_period"].to_numpy(np.float64)
        )
    old_lead = (
        summary["mean_per_period"].to_numpy(np.float64)
        * table["lead_time_std_periods"].to_numpy(np.float64)
    ) ** 2
    model_variance = np.maximum(summary["demand_std"].to_numpy(np.float64) ** 2 - old_lead, 0.0)
    variance = np.where(trusted, totals.variance[safe], model_variance)
    widened = candidates & ~trusted & np.isin(classes, SPORADIC_CLASSES)
    history_variance = protection * table["history_std"].to_numpy(np.float64) ** 2
    for name in SPORADIC_CLASSES:
        read = trusted & (classes == name)
        widen = widened & (classes == name)
        variance[widen] *= dispersion_ratio(variance[read], history_variance[read])
    basis = np.full(len(table), None, dtype=object)
    basis[trusted], basis[widened] = OWN_TOTALS, CLASS_DISPERSION
    rows = trusted | widened
    lead = (per_period * table["lead_time_std_periods"].to_numpy(np.float64)) ** 2
    std = np.sqrt(variance + lead)
    quantile = summary["demand_quantile"].to_numpy(np.float64).copy()
    level = summary["service_level"].to_numpy(np.float64)
    quantile[rows] = protection_quantile(
        mean[rows], std[rows], level[rows], np.ones(int(rows.sum()), dtype=bool)
    )
    for column, values in (
        ("demand_mean", mean), ("mean_per_period", per_period), ("demand_std", std),
    ):  # fmt: skip
        summary[column] = np.where(rows, values, summary[column].to_numpy(np.float64))
    summary["demand_quantile"] = quantile
    summary["spread_basis"] = basis


def _totals(
    capped: Capped,
    codes: np.ndarray,
    protection: np.ndarray,
    rows: np.ndarray,
    params: ForecastParams,
    before: np.ndarray | None = None,
) -> IntervalTotals:
    """Own interval totals of the series of `rows` (their protection interval each), on
    the spike-free history (up to `before`, a mask of the history's rows, when given)."""
    series = capped.prepared.series
    n_series = len(capped.prepared.ids)
    by_code = np.ones(n_series)
    wanted = np.zeros(n_series, dtype=bool)
    by_code[codes[rows]] = protection[rows]
    wanted[codes[rows]] = True
    y = without_spikes(capped, params.spike_cap_factor)
    long_codes = series["unique_id"].cat.codes.to_numpy()
    if before is not None:
        y, long_codes = y[before], long_codes[before]
    recent = periods_in_days(params.interval_history_days, params.frequency)
    return interval_totals(y, long_codes, n_series, by_code, recent, wanted)


def sporadic_windows(
    windows: pd.DataFrame, rows: np.ndarray, capped: Capped, params: ForecastParams, periods: int
) -> pd.DataFrame:
    """A backtest's per-window quantiles of the `rows` marked (the model's windows of
    sporadic series) read as the night reads them: a negative binomial with the mean and
    variance of the series' own interval totals before the window's cutoff.

    `windows` has unique_id, cutoff and the `q*` columns (`forecasting.scoring`); `capped`
    is the backtest's history, spikes capped, ids in its own order.
    """
    out = windows.copy()
    dates = capped.prepared.series["ds"].to_numpy()
    codes = pd.Index(capped.prepared.ids["unique_id"]).get_indexer(out["unique_id"])
    cutoffs = out["cutoff"].to_numpy()
    span = np.full(len(out), float(periods))
    for cutoff in np.unique(cutoffs[rows]):
        at = rows & (cutoffs == cutoff) & (codes >= 0)
        totals = _totals(capped, codes, span, at, params, before=dates <= cutoff)
        at = np.flatnonzero(at)
        code = codes[at]
        usable = totals.trusted()[code]
        at, code = at[usable], code[usable]
        mean, std = totals.mean[code], np.sqrt(totals.variance[code])
        counted = np.ones(at.size, dtype=bool)
        for level in QUANTILE_LEVELS:
            column = out.columns.get_loc(quantile_column(level))
            out.iloc[at, column] = protection_quantile(mean, std, np.full(at.size, level), counted)
    return out
