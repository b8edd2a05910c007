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
    ordinal = _period_ordinals(demand["date"], frequency)
    with np.errstate(invalid="ignore"):
        keep = np.isfinite(quantity) & (quantity >= 0) & (ordinal <= last.ordinal)
    # Grouped by one integer per row, not by the text keys: at 10,000 item-locations
    # (4 M demand rows) grouping the sku and location strings held about 650 MB.
    key, skus, locations, lowest = _row_keys(demand, ordinal, keep, last)
    totals = pd.Series(quantity[keep]).groupby(key, sort=True).sum()
    del key, quantity, ordinal, keep
    return _zero_filled(totals, skus, locations, lowest, last, frequency)


def _period_ordinals(column: pd.Series, frequency: Frequency) -> np.ndarray:
    """Per row, the ordinal of its forecast period (the largest int64 when undated)."""
    dates = pd.to_datetime(column, errors="coerce").to_numpy(dtype="datetime64[ns]")
    dated = ~np.isnat(dates)
    ordinal = np.full(len(dates), np.iinfo(np.int64).max, dtype=np.int64)
    # through an index, not the `.dt` accessor: a Series and its accessor refer to each
    # other, so a temporary one lingers until the garbage collector runs
    ordinal[dated] = pd.DatetimeIndex(dates[dated]).to_period(_PERIOD_FREQ[frequency]).asi8
    return ordinal


def _row_keys(
    demand: pd.DataFrame, ordinal: np.ndarray, keep: np.ndarray, last: pd.Period
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """One integer per kept row, ordered as (sku, location, period) are; the sorted skus
    and locations it encodes, and the earliest period (its zero). Drops from `keep` the
    rows without a sku or location: they belong to no series."""
    sku, skus = _sorted_codes(demand["sku"])
    location, locations = _sorted_codes(demand["location"])
    keep &= (sku >= 0) & (location >= 0)
    lowest = int(ordinal[keep].min()) if keep.any() else last.ordinal
    span = last.ordinal - lowest + 1
    key = sku[keep]
    del sku
    key *= len(locations)
    key += location[keep]
    del location
    key *= span
    key += ordinal[keep]
    key -= lowest
    return key, skus, locations, lowest


def _sorted_codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the code of its value among the column's sorted distinct values (-1 when
    missing); and those values. Sorted as a group-by on the text sorts its keys."""
    codes, uniques = pd.factorize(column.to_numpy(), sort=True)
    return codes.astype(np.int64, copy=False), np.asarray(uniques, dtype=object)


def _zero_filled(
    totals: pd.Series,
    skus: np.ndarray,
    locations: np.ndarray,
    lowest: int,
    last: pd.Period,
    frequency: Frequency,
) -> PreparedDemand:
    """Scatter the per-period totals into one gap-free block per series.

    `totals` is indexed by the sorted (sku, location, period) keys of `prepare_series`.
    Built with array arithmetic (repeat/cumsum/scatter) over all series at once: it is
    the reindex of a (series, period) MultiIndex without materialising that index.
    """
    span = last.ordinal - lowest + 1
    key = totals.index.to_numpy(dtype=np.int64)
    pair, ordinals = np.divmod(key, span)
    ordinals += lowest
    starts_series = np.ones(len(totals), dtype=bool)
    starts_series[1:] = pair[1:] != pair[:-1]
    series_of_row = np.cumsum(starts_series) - 1
    first = ordinals[starts_series]
    lengths = last.ordinal - first + 1
    offsets = np.cumsum(lengths) - lengths
    n_rows = int(lengths.sum())

    series_code = np.repeat(np.arange(len(first), dtype=np.int32), lengths)
    y = np.zeros(n_rows, dtype=np.float32)
    y[offsets[series_of_row] + ordinals - first[series_of_row]] = totals.to_numpy()
    del series_of_row, ordinals

    # Timestamps for the few distinct periods, then looked up: converting millions of
    # Periods one by one is the slow part of a naive version.
    earliest = int(first.min()) if len(first) else last.ordinal
    calendar = pd.PeriodIndex.from_ordinals(
        np.arange(earliest, last.ordinal + 1), freq=_PERIOD_FREQ[frequency]
    ).to_timestamp(how="start")
    # row i of series s is period first[s] + (i - offsets[s]) of the calendar
    day = np.arange(n_rows, dtype=np.int64)
    day += (first - earliest - offsets)[series_code]
    ds = calendar.to_numpy()[day]
    del day

    sku_code, location_code = np.divmod(pair[starts_series], max(1, len(locations)))
    series_skus, series_locations = skus[sku_code], locations[location_code]
    labels = _labels(series_skus, series_locations)
    ids = pd.DataFrame({"unique_id": labels, "sku": series_skus, "location": series_locations})
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
