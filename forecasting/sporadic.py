"""Demand over the protection interval of sporadic items (intermittent, lumpy, and new
items with enough history), read from their own interval totals: its mean, spread and
quantile (reasons in `forecasting.interval_totals` and docs/sporadic-demand.md).

The mean and variance are those of the item's own totals over every window of the
interval's length in its last `interval_history_days`; purchasing reads the fill-rate
level from them, as a negative binomial (`purchasing.service_measure`). The quantile
(the cycle-service level, the precedent guard, the chart's band) is the level read at
the end of the history plus the item's own out-of-sample errors' quantile
(`forecasting.interval_errors`): the negative binomial of the in-year moments is too
narrow for the next interval (both tails under-covered on M5). The
model's per-period forecast is kept beside it (the path, monitoring, the backtest's
errors) but does not set the stock: on M5 the chosen sporadic models over-forecast the
year replayed by 5-12% and a level taken from them bought 7-9 points more fill than the
target asked (docs/sporadic-demand.md). Every other row keeps what the engine gave it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from forecasting.classify import INTERMITTENT, LUMPY, NEW
from forecasting.cleansing import Capped, without_spikes
from forecasting.interval_errors import interval_errors
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
    history = _spike_free(capped, params)
    totals = _totals(history, codes, protection, candidates, params)
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
    if params.sporadic_quantile == "own_errors":
        now, (own,) = _own_quantiles(history, codes, protection, trusted, params, [level])
        error = own - now
        # An uncertain lead time adds its spread in quadrature to the error above the
        # level (the errors are those of totals over a known interval length).
        lead_term = stats.norm.ppf(np.clip(level, 0.5, 1 - 1e-4)) * np.sqrt(lead)
        own = np.where(error > 0, now + np.sqrt(error**2 + lead_term**2), own)
        use = trusted & np.isfinite(own)
        quantile[use] = _whole_units(own[use], mean[use], level[use])
    for column, values in (
        ("demand_mean", mean), ("mean_per_period", per_period), ("demand_std", std),
    ):  # fmt: skip
        summary[column] = np.where(rows, values, summary[column].to_numpy(np.float64))
    summary["demand_quantile"] = quantile
    summary["spread_basis"] = basis


def _totals(
    history: _History,
    codes: np.ndarray,
    protection: np.ndarray,
    rows: np.ndarray,
    params: ForecastParams,
) -> IntervalTotals:
    """Own interval totals of the series of `rows` (their protection interval each), on
    the spike-free history."""
    by_code, wanted = _intervals(history.n_series, codes, protection, rows)
    recent = periods_in_days(params.interval_history_days, params.frequency)
    return interval_totals(history.y, history.codes, history.n_series, by_code, recent, wanted)


def _own_quantiles(
    history: _History,
    codes: np.ndarray,
    protection: np.ndarray,
    rows: np.ndarray,
    params: ForecastParams,
    levels: list[np.ndarray],
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Per row: the level read at the end of its history and, at each of `levels` (one
    service level per row each), the level plus its own out-of-sample errors' quantile
    (`forecasting.interval_errors`), on the same spike-free history as the totals; NaN
    for rows not marked or with too few origins. A fractional interval interpolates
    between the whole lengths around it, as the totals do."""
    n_series = history.n_series
    by_code, wanted = _intervals(n_series, codes, protection, rows)
    safe = np.maximum(codes, 0)
    marked = rows & (codes >= 0)
    span = periods_in_days(params.interval_history_days, params.frequency)
    rate = periods_in_days(params.interval_level_days, params.frequency, at_least=3)
    low = np.floor(by_code + 1e-9)
    share = np.clip(by_code - low, 0.0, 1.0)
    pair = [
        interval_errors(history.y, history.codes, n_series, length, rate, span, wanted)
        for length in (low, np.ceil(by_code - 1e-9))
    ]
    level = (1 - share) * pair[0].level + share * pair[1].level
    quantiles = []
    for wanted_level in levels:
        by_level = np.full(n_series, 0.5)
        by_level[codes[marked]] = wanted_level[marked]
        read = [np.where(e.trusted(), e.quantile(by_level), np.nan) for e in pair]
        per_code = (1 - share) * read[0] + share * read[1]
        quantiles.append(np.where(marked, per_code[safe], np.nan))
    return np.where(marked, level[safe], np.nan), quantiles


class _History(NamedTuple):
    """The spike-free history (`y`, long, and its series `codes`) the totals and the own
    errors both read: built once per night or backtest cutoff, not once per reader."""

    y: np.ndarray
    codes: np.ndarray
    n_series: int


def _spike_free(
    capped: Capped, params: ForecastParams, before: np.ndarray | None = None
) -> _History:
    """The capped history with its one-offs replaced (`without_spikes`), up to `before`
    (a mask of the history's rows) when given."""
    y = without_spikes(capped, params.spike_cap_factor)
    codes = capped.prepared.series["unique_id"].cat.codes.to_numpy()
    if before is not None:
        y, codes = y[before], codes[before]
    return _History(y, codes, len(capped.prepared.ids))


def _intervals(
    n_series: int, codes: np.ndarray, protection: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The interval per series code (1 where no row asks) and the mask of series codes
    `rows` ask for."""
    by_code = np.ones(n_series)
    wanted = np.zeros(n_series, dtype=bool)
    by_code[codes[rows]] = protection[rows]
    wanted[codes[rows]] = True
    return by_code, wanted


def _whole_units(quantile: np.ndarray, mean: np.ndarray, level: np.ndarray) -> np.ndarray:
    """Whole units, never below zero, and never below the mean above the median (as the
    negative binomial's: a safety stock does not come out negative)."""
    whole = np.maximum(np.ceil(quantile - 1e-9), 0.0)
    return np.where(level > 0.5, np.maximum(whole, mean), whole)


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
        history = _spike_free(capped, params, before=dates <= cutoff)
        totals = _totals(history, codes, span, at, params)
        at = np.flatnonzero(at)
        code = codes[at]
        usable = totals.trusted()[code]
        at, code = at[usable], code[usable]
        mean, std = totals.mean[code], np.sqrt(totals.variance[code])
        counted = np.ones(at.size, dtype=bool)
        own = [np.full(len(out), np.nan) for _ in QUANTILE_LEVELS]
        if params.sporadic_quantile == "own_errors":
            marked = np.zeros(len(out), dtype=bool)
            marked[at] = True
            wanted = [np.full(len(out), level) for level in QUANTILE_LEVELS]
            _, own = _own_quantiles(history, codes, span, marked, params, wanted)
        for level, read_own in zip(QUANTILE_LEVELS, own, strict=True):
            column = out.columns.get_loc(quantile_column(level))
            read = protection_quantile(mean, std, np.full(at.size, level), counted)
            mine = read_own[at]
            known = np.isfinite(mine)
            read[known] = _whole_units(mine[known], mean[known], np.full(known.sum(), level))
            out.iloc[at, column] = read
    return out
