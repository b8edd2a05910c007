"""Demand rows -> statsforecast's long format (`unique_id`, `ds`, `y`), one series per
item-location, at the forecast frequency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from forecasting.params import Frequency

# Periods are pandas Periods: a week runs Monday to Sunday, a month is a calendar month.
# `ds` is the period's first day, so statsforecast is told the matching anchored offset.
_PERIOD_FREQ: dict[Frequency, str] = {"D": "D", "W": "W-SUN", "M": "M"}
STATSFORECAST_FREQ: dict[Frequency, str] = {"D": "D", "W": "W-MON", "M": "MS"}

SERIES_COLUMNS = ["unique_id", "ds", "y"]
ID_COLUMNS = ["unique_id", "sku", "location"]


@dataclass(frozen=True)
class PreparedDemand:
    """Demand history ready for statsforecast.

    `series` is sorted by `unique_id` (a categorical whose category order is the row
    order of `ids`) then `ds`; every series runs without gaps from its first period
    with demand to `last_period`, the same last period for all of them.
    """

    series: pd.DataFrame
    ids: pd.DataFrame
    last_period: pd.Period

    def future_dates(self, horizon: int) -> pd.DatetimeIndex:
        """First days of the `horizon` periods after the history: the forecast's `ds`."""
        periods = pd.period_range(start=self.last_period + 1, periods=horizon)
        return periods.to_timestamp(how="start")


def last_complete_period(as_of: date, frequency: Frequency) -> pd.Period:
    """The latest period that ended before `as_of`.

    The run's own day (and the rest of its week or month) is still being sold: counting
    a partial period as history would read as a drop in demand.
    """
    yesterday = pd.Timestamp(as_of).normalize() - pd.Timedelta(days=1)
    period = pd.Period(yesterday, freq=_PERIOD_FREQ[frequency])
    if period.end_time.normalize() == yesterday:
        return period
    return period - 1


def prepare_series(demand: pd.DataFrame, *, as_of: date, frequency: Frequency) -> PreparedDemand:
    """Sum demand per item-location and period (over channels and days) and zero-fill
    each series from its first demand to the last complete period before `as_of`.

    A missing day means zero demand (the data contract), so the gaps are filled with
    zeros, not interpolated. Rows with a non-finite or negative quantity, no date, or a
    date after the last complete period are left out: validation upstream reports bad
    rows; here they must only not poison the sums.
    """
    last = last_complete_period(as_of, frequency)
    quantity = pd.to_numeric(demand["quantity"], errors="coerce").to_numpy(dtype=np.float64)
    dates = pd.to_datetime(demand["date"], errors="coerce")
    dated = dates.notna().to_numpy()
    ordinal = np.full(len(demand), np.iinfo(np.int64).max, dtype=np.int64)
    ordinal[dated] = dates[dated].dt.to_period(_PERIOD_FREQ[frequency]).array.asi8
    with np.errstate(invalid="ignore"):
        keep = np.isfinite(quantity) & (quantity >= 0) & (ordinal <= last.ordinal)

    rows = pd.DataFrame(
        {
            "sku": demand["sku"].to_numpy()[keep],
            "location": demand["location"].to_numpy()[keep],
            "ordinal": ordinal[keep],
            "y": quantity[keep],
        }
    )
    totals = rows.groupby(["sku", "location", "ordinal"], sort=True, observed=True)["y"].sum()
    return _zero_filled(totals, last, frequency)


def _zero_filled(totals: pd.Series, last: pd.Period, frequency: Frequency) -> PreparedDemand:
    """Scatter the per-period totals into one gap-free block per series.

    Built with array arithmetic (repeat/cumsum/scatter) over all series at once: it is
    the reindex of a (series, period) MultiIndex without materialising that index.
    """
    index = totals.index
    sku_codes, location_codes = index.codes[0], index.codes[1]
    starts_series = np.ones(len(totals), dtype=bool)
    starts_series[1:] = (sku_codes[1:] != sku_codes[:-1]) | (
        location_codes[1:] != location_codes[:-1]
    )
    series_of_row = np.cumsum(starts_series) - 1
    ordinals = index.get_level_values("ordinal").to_numpy()
    first = ordinals[starts_series]
    lengths = last.ordinal - first + 1
    offsets = np.cumsum(lengths) - lengths
    n_rows = int(lengths.sum())

    series_code = np.repeat(np.arange(len(first), dtype=np.int32), lengths)
    position = np.arange(n_rows) - np.repeat(offsets, lengths)
    y = np.zeros(n_rows, dtype=np.float32)
    y[offsets[series_of_row] + ordinals - first[series_of_row]] = totals.to_numpy()

    # Timestamps for the few distinct periods, then looked up: converting millions of
    # Periods one by one is the slow part of a naive version.
    lowest = int(first.min()) if len(first) else last.ordinal
    calendar = pd.PeriodIndex.from_ordinals(
        np.arange(lowest, last.ordinal + 1), freq=_PERIOD_FREQ[frequency]
    ).to_timestamp(how="start")
    ds = calendar.to_numpy()[np.repeat(first - lowest, lengths) + position]

    skus = index.get_level_values("sku").to_numpy()[starts_series]
    locations = index.get_level_values("location").to_numpy()[starts_series]
    labels = _labels(skus, locations)
    ids = pd.DataFrame({"unique_id": labels, "sku": skus, "location": locations})
    series = pd.DataFrame(
        {
            "unique_id": pd.Categorical.from_codes(series_code, categories=labels),
            "ds": ds,
            "y": y,
        }
    )
    return PreparedDemand(series=series, ids=ids, last_period=last)


def _labels(skus: np.ndarray, locations: np.ndarray) -> pd.Index:
    """Readable series ids (`sku|location`), made unique if a name contains the '|'.

    The `ids` frame, not the label, is the way back to (sku, location).
    """
    labels = pd.Index(pd.Series(skus, dtype=str) + "|" + pd.Series(locations, dtype=str))
    if not labels.is_unique:
        labels = labels + "#" + pd.Index(np.arange(len(labels)).astype(str))
    return labels
