"""How far a sporadic item's next interval total lands from the level read before it: the
item's own out-of-sample errors, from which its protection quantile is read.

The mean and variance of an item's own interval totals (`forecasting.interval_totals`)
describe how the totals scattered around the year's mean *inside* that year. The next
interval is not drawn from that year: the level moves (M5's sporadic items sell more
each year, and a trailing year's mean lags a growing item by a quarter of its level)
and the mean itself is an estimate from a dozen independent intervals. Measured on 40
28-day windows cut from the M5 subset's train file, a negative binomial with the
in-year moments covered 0.725 / 0.830 / 0.899 at 0.8 / 0.9 / 0.95 for both sporadic
classes: both tails too thin (mid-PIT 0.16 in the lowest tenth, 0.11 in the top
twentieth), the squared errors of the year's mean 1.4 times the in-year variance
(median per item), and the next 28 days 1.26 times the trailing year's mean on
intermittent items (benchmarks/README.md, "Calibration of sporadic quantiles").

So the quantile comes from the errors the item's own rule would have made: at every
period t of the item's recent history, the total of the P periods from t minus the
level read at t (P times the mean per period over the `rate` periods before t). Their
empirical quantile, added to the level read at the end of the history, is the item's
quantile; the distribution is the item's own, skewed as it really is, and it carries
the level's drift and the estimate's error with it. One cumulative sum and one sort
per interval length (a handful per catalogue): no per-series loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecasting.windows import ends_and_first_sales

# Origins spanning fewer than this many whole intervals are too few to read a tail from
# (they would be a handful of overlapping windows); such items keep the negative binomial.
MIN_ERROR_INTERVALS = 2.0


@dataclass(frozen=True)
class IntervalErrors:
    """Per series code: the level read at the end of its history (P x recent mean per
    period) and its own out-of-sample errors, ascending, in `errors[offsets[c]:offsets[c +
    1]]`; `periods` is the interval length they were read for."""

    level: np.ndarray
    errors: np.ndarray
    offsets: np.ndarray
    periods: np.ndarray

    def counts(self) -> np.ndarray:
        """How many origins (errors) each series has."""
        return np.diff(self.offsets)

    def trusted(self) -> np.ndarray:
        """Series whose origins span at least MIN_ERROR_INTERVALS intervals."""
        return self.counts() >= MIN_ERROR_INTERVALS * np.maximum(self.periods, 1)

    def quantile(self, levels: np.ndarray) -> np.ndarray:
        """Per series: level + the smallest own error whose empirical distribution
        function reaches `levels[code]` (the inverted empirical CDF: with ties and
        whole units the total is covered at least as often as asked); NaN without
        errors."""
        counts = self.counts()
        out = np.full(len(counts), np.nan)
        has = counts > 0
        rank = np.ceil(np.clip(levels[has], 0.0, 1.0) * counts[has] - 1e-9).astype(np.int64)
        index = self.offsets[:-1][has] + np.clip(rank - 1, 0, counts[has] - 1)
        out[has] = self.level[has] + self.errors[index]
        return out


def interval_errors(
    y: np.ndarray,
    codes: np.ndarray,
    n_series: int,
    periods: np.ndarray,
    rate: int,
    span: int,
    wanted: np.ndarray | None = None,
) -> IntervalErrors:
    """Out-of-sample errors of the level `periods[code]` x (mean per period over the last
    `rate` periods) against the next `periods[code]` periods' total, at every origin of
    each series' last `span` periods whose interval is complete.

    `y` is a long array sorted by series code (`codes`, ascending, contiguous) and, within
    a series, by period, every series ending at the same last period (PreparedDemand).
    History counts from each series' first sale (zeros before it are an item not listed
    yet); an origin needs `rate` periods of it behind. `periods` are whole periods (a
    fractional interval is read at the whole lengths around it by the caller).
    `wanted` (a mask per code) limits the work to those series; the others get none.
    """
    y = np.nan_to_num(np.asarray(y, dtype=np.float64), nan=0.0)
    codes = np.asarray(codes)
    rate = max(int(rate), 1)
    ends, first = ends_and_first_sales(y, codes, n_series)
    p = np.maximum(np.asarray(periods, dtype=np.int64), 1)
    cumulative = np.concatenate([[0.0], np.cumsum(y)])
    # The level now: the mean per period over the last `rate` periods since the first sale.
    seen = np.clip(ends - first, 0, rate)
    with np.errstate(divide="ignore", invalid="ignore"):
        level = np.where(
            seen > 0, p * (cumulative[ends] - cumulative[ends - seen]) / np.maximum(seen, 1), np.nan
        )
    # Origins t (the first period after the level's history): t - rate >= first,
    # t + p <= end, and t among the last `span` origins with a complete interval.
    low = np.maximum(first + rate, ends - p - max(int(span), 1) + 1)
    high = ends - p
    count = np.maximum(high - low + 1, 0)
    if wanted is not None:
        count = np.where(wanted, count, 0)
    owner = np.repeat(np.arange(n_series), count)
    offsets = np.concatenate([[0], np.cumsum(count)])
    t = low[owner] + np.arange(int(offsets[-1])) - offsets[:-1][owner]
    width = p[owner]
    future = cumulative[t + width] - cumulative[t]
    read = width * (cumulative[t] - cumulative[t - rate]) / rate
    errors = future - read
    order = np.lexsort((errors, owner))
    return IntervalErrors(level=level, errors=errors[order], offsets=offsets, periods=p)
