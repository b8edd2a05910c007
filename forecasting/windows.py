"""Where the windows of consecutive periods lie in a long array of series, found at once.

A long array holds every series one after the other (sorted by series, then period).
The sums over `window[code]` consecutive periods inside a span [start, end) of each
series are what the plausibility guard and the sporadic quantiles read. Masking the
whole array once per distinct window length costs a pass over every row for each of the
dozens of lengths a catalogue has; listing the window ends of each series directly costs
one pass over the rows that are read, whatever the lengths.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

# Window ends listed at a time: bounds the arrays made (a few of this many numbers).
CHUNK_POSITIONS = 1 << 21


def window_ends(
    starts: np.ndarray, ends: np.ndarray, window: np.ndarray, limit: int = CHUNK_POSITIONS
) -> Iterator[tuple[int, int, np.ndarray, np.ndarray, np.ndarray]]:
    """The last positions of the windows of `window[code]` periods lying in [starts, ends).

    Yields `(low, high, owner, position, count)` for the series codes low..high-1 (whole
    series, about `limit` positions at a time): `position` every window end of those
    series in ascending order (by series, then period), `owner` its series code and
    `count` the number of windows per code of the chunk (0 where the span is shorter
    than the window).
    """
    starts, ends = np.asarray(starts, np.int64), np.asarray(ends, np.int64)
    first = starts + np.asarray(window, np.int64) - 1
    count = np.maximum(ends - first, 0)
    total = np.cumsum(count)
    low, n = 0, len(count)
    while low < n:
        reached = total[low - 1] if low else 0
        high = max(low + 1, int(np.searchsorted(total, reached + limit, side="right")))
        high = min(high, n)
        part = count[low:high]
        owner = np.repeat(np.arange(low, high), part)
        offset = np.cumsum(part) - part
        position = np.arange(int(part.sum()), dtype=np.int64) + np.repeat(
            first[low:high] - offset, part
        )
        yield low, high, owner, position, part
        low = high


def ends_and_first_sales(
    y: np.ndarray, codes: np.ndarray, n_series: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per series code: the position after its last period in the long array, and the
    position of its first sale (its end when it never sold).

    History counts from the first sale: zeros before it are an item not listed yet, not
    an item nobody wanted (`forecasting.classify` counts history the same way).
    """
    ends = np.searchsorted(codes, in_code_dtype(np.arange(n_series), codes), side="right")
    first = ends.copy()
    sold = np.flatnonzero(y > 0)
    np.minimum.at(first, codes[sold], sold)
    return ends, first


def in_code_dtype(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """`values` (series codes to look up) in the integer type of the long `codes` array
    when they fit in it.

    `np.searchsorted` converts the array searched to the values' type first: a categorical's
    int16 codes of a 10,000-series catalogue (7 million rows) searched with int64 codes
    were copied to int64 on every search, a hundred times the search itself.
    """
    values = np.asarray(values)
    if codes.dtype == values.dtype or codes.dtype.kind not in "iu" or not values.size:
        return values
    limits = np.iinfo(codes.dtype)
    if values.dtype.kind in "iu" and limits.min <= values.min() and values.max() <= limits.max:
        return values.astype(codes.dtype)
    return values
