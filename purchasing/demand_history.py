"""Demand history as one dense matrix (item-location x period), the input of the simulation.

The replay steps through time over all series at once, so history is laid out as a numpy
matrix once, here, instead of being looked up per series and per period in the loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd

from purchasing.position import KEYS

# pandas period aliases of the forecast frequencies (docs/frames.md: "D", "W", "M").
_PANDAS_FREQ = {"D": "D", "W": "W-SUN", "M": "M"}


@dataclass(frozen=True)
class DemandHistory:
    """Per-period demand of each row of `keys`; zero where no demand row was recorded.

    `first_period[i]` is the first period with any demand row for series i (the number of
    periods when there is none): before it the item was most likely not listed, so those
    zeros must not be read as "nobody wanted it".
    """

    keys: pd.DataFrame  # sku, location; row i of `quantity`
    quantity: np.ndarray  # float64, shape (series, periods)
    first_period: np.ndarray  # int64, shape (series,)
    periods: pd.PeriodIndex


def demand_history(
    demand: pd.DataFrame,
    keys: pd.DataFrame,
    *,
    frequency: str,
    as_of: date | datetime | pd.Timestamp | str,
) -> DemandHistory:
    """Sum `demand` (sku, location, date, quantity) per row of `keys` and whole period.

    Only complete periods before `as_of` are kept: a month that is still running would look
    like a month of low demand and bias every estimate down.
    """
    freq = _PANDAS_FREQ.get(frequency, frequency)
    last = pd.Period(pd.Timestamp(as_of).normalize() - pd.Timedelta(days=1), freq=freq)
    if last.end_time.normalize() >= pd.Timestamp(as_of).normalize():
        last -= 1
    keys = keys[KEYS].reset_index(drop=True)
    rows = demand[[*KEYS, "date", "quantity"]].merge(
        keys.assign(_row=np.arange(len(keys))), on=KEYS, how="inner"
    )
    if rows.empty:
        periods = pd.period_range(end=last, periods=1, freq=freq)
        empty = np.zeros((len(keys), 1))
        return DemandHistory(keys, empty, np.ones(len(keys), dtype=np.int64), periods)
    ordinal = pd.to_datetime(rows["date"]).dt.to_period(freq).array.asi8
    start = int(ordinal.min())
    periods = pd.period_range(start=pd.Period(ordinal=start, freq=freq), end=last, freq=freq)
    column = ordinal - start
    kept = column < len(periods)
    row = rows["_row"].to_numpy()[kept]
    column = column[kept]
    quantity = np.zeros((len(keys), len(periods)))
    np.add.at(quantity, (row, column), rows["quantity"].to_numpy(dtype=float)[kept])
    first = np.full(len(keys), len(periods), dtype=np.int64)
    np.minimum.at(first, row, column)
    return DemandHistory(keys, quantity, first, periods)


def without_one_offs(quantity: np.ndarray, factor: float, min_sales: int) -> np.ndarray:
    """`quantity` with each period above `factor` x its series' median non-zero demand
    (on series with at least `min_sales` selling periods) counted as one ordinary sale
    (the median): the rest of it is a one-off the business handles as a special order.

    The same rule the forecast uses (`forecasting.cleansing`): the policy stocks for
    ordinary demand only, so a replay that asked the shelf for a 3,000-unit project
    order would score the policy on demand it was told to leave out.
    """
    if factor <= 0 or quantity.size == 0:
        return quantity
    enough = (quantity > 0).sum(axis=1) >= max(min_sales, 1)
    median = np.full(len(quantity), np.inf)
    if enough.any():
        sold = np.where(quantity[enough] > 0, quantity[enough], np.nan)
        median[enough] = np.nanmedian(sold, axis=1)
    spike = quantity > factor * median[:, None]
    return np.where(spike, np.where(np.isfinite(median), median, 0.0)[:, None], quantity)
