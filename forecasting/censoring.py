"""Stock-outs are not zero demand: periods an item spent out of stock are re-estimated.

A shelf that was empty for a week sold nothing because there was nothing to sell, not
because nobody wanted the item. Read as zero demand, such weeks pull the forecast down,
the next order is smaller, and the item runs out again: a spiral. When the extract
carries the stock history (`stock_history.csv`: sku, location, date, on_hand), a period
whose stock records are all at or below zero and in which nothing was sold is censored:
its demand is unknown, not zero. It is replaced, before classification and fitting, by
the local level of the series (the mean of the nearest `window` uncensored periods before
it, or after it where the series starts out of stock), so every model and rule downstream
sees a gap-free series without a special case. A period with a stock-out and some sales
is kept as sold: part of the demand was seen, and guessing the rest would invent numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from forecasting.params import Frequency, periods_in_days
from forecasting.prepare import _PERIOD_FREQ, PreparedDemand


def _level_window(frequency: Frequency) -> int:
    """Periods the local level is taken over: four weeks, at least three periods (a
    month of daily demand evens out the weekdays; one month alone is too noisy)."""
    return periods_in_days(28.0, frequency, at_least=3)


@dataclass(frozen=True)
class Censored:
    """The history the models see, and per series (code = row of `prepared.ids`) how many
    out-of-stock periods were re-estimated."""

    prepared: PreparedDemand
    periods: np.ndarray


def censor_stockouts(
    prepared: PreparedDemand,
    stock_history: pd.DataFrame | None,
    frequency: Frequency,
) -> Censored:
    """Replace zero-sale periods spent out of stock by the series' local level.

    `stock_history` has sku, location, date, on_hand (validated rows); None or empty
    leaves the history unchanged. Rows for unknown item-locations or outside a series'
    span are ignored. The local level is taken over four weeks of periods
    (`_level_window`): one rule for the night and the backtest alike.
    """
    n = len(prepared.ids)
    series = prepared.series
    untouched = Censored(prepared, np.zeros(n, dtype=np.int64))
    if stock_history is None or stock_history.empty or series.empty:
        return untouched
    row = _series_rows(prepared, stock_history, frequency)
    known = row >= 0
    if not known.any():
        return untouched
    on_hand = pd.to_numeric(stock_history["on_hand"], errors="coerce").to_numpy(np.float64)
    # A period is out of stock when every record in it is at or below zero.
    highest = np.full(len(series), np.nan)
    order = np.argsort(row[known], kind="stable")
    rows, values = row[known][order], on_hand[known][order]
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    highest[rows[starts]] = np.maximum.reduceat(np.nan_to_num(values, nan=np.inf), starts)
    y = series["y"].to_numpy()
    censored = (highest <= 0) & (y == 0)
    if not censored.any():
        return untouched
    codes = series["unique_id"].cat.codes.to_numpy()
    level = _local_level(y.astype(np.float64), censored, codes, _level_window(frequency))
    new_y = y.copy()
    fill = censored & np.isfinite(level)
    new_y[fill] = level[fill].astype(new_y.dtype)
    periods = np.bincount(codes[fill], minlength=n).astype(np.int64)
    return Censored(replace(prepared, series=series.assign(y=new_y)), periods)


def _series_rows(
    prepared: PreparedDemand, stock_history: pd.DataFrame, frequency: Frequency
) -> np.ndarray:
    """Row of `prepared.series` each stock record falls in (-1: none)."""
    series = prepared.series
    codes = series["unique_id"].cat.codes.to_numpy()
    first_row = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    first_ordinal = (
        pd.DatetimeIndex(series["ds"].to_numpy()[first_row]).to_period(_PERIOD_FREQ[frequency])
    ).asi8
    ids = pd.MultiIndex.from_frame(prepared.ids[["sku", "location"]])
    keys = pd.MultiIndex.from_arrays(
        [stock_history["sku"].astype(str), stock_history["location"].astype(str)]
    )
    code = ids.get_indexer(keys)
    dates = pd.to_datetime(stock_history["date"], errors="coerce")
    ordinal = np.full(len(stock_history), np.iinfo(np.int64).min, dtype=np.int64)
    dated = dates.notna().to_numpy()
    ordinal[dated] = dates[dated].dt.to_period(_PERIOD_FREQ[frequency]).array.asi8
    has_series = (code >= 0) & (code < len(first_row)) & dated
    safe = np.where(has_series, code, 0)
    offset = ordinal - first_ordinal[safe]
    inside = has_series & (offset >= 0) & (ordinal <= prepared.last_period.ordinal)
    return np.where(inside, first_row[safe] + offset, -1)


def _local_level(y: np.ndarray, censored: np.ndarray, codes: np.ndarray, window: int) -> np.ndarray:
    """Per row: the mean of the `window` nearest uncensored values of its series before
    it, or after it when there are none before (NaN when the series has none at all).

    Cumulative sums over the uncensored values: no loop over series.
    """
    before = _trailing_mean(y, censored, codes, window)
    after = _trailing_mean(y[::-1], censored[::-1], codes[::-1], window)[::-1]
    return np.where(np.isfinite(before), before, after)


def _trailing_mean(
    y: np.ndarray, censored: np.ndarray, codes: np.ndarray, window: int
) -> np.ndarray:
    seen = ~censored
    count = np.cumsum(seen)  # uncensored values up to and including each row
    total = np.concatenate([[0.0], np.cumsum(np.where(seen, y, 0.0))])
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    lengths = np.diff(np.r_[starts, len(y)])
    before_series = np.repeat(count[starts] - seen[starts], lengths)
    low = np.maximum(count - window, before_series)
    n = count - low
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (total[count] - total[low]) / n
    return np.where(n > 0, mean, np.nan)
