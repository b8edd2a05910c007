"""The window ends of each series in a long array, listed at once and in chunks."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from forecasting.windows import in_code_dtype, window_ends


def _by_loop(starts: np.ndarray, ends: np.ndarray, window: np.ndarray) -> list[tuple[int, int]]:
    return [
        (code, position)
        for code in range(len(starts))
        for position in range(starts[code] + window[code] - 1, ends[code])
    ]


def test_window_ends_hand_checked() -> None:
    """Series 0 spans [0, 4) with windows of 2, series 1 [4, 5) is shorter than its 3."""
    (low, high, owner, position, count), *more = window_ends(
        np.array([0, 4]), np.array([4, 5]), np.array([2, 3])
    )
    assert not more
    assert (low, high) == (0, 2)
    assert owner.tolist() == [0, 0, 0]
    assert position.tolist() == [1, 2, 3]
    assert count.tolist() == [3, 0]


@given(
    st.lists(st.tuples(st.integers(0, 12), st.integers(0, 5), st.integers(1, 6)), max_size=15),
    st.integers(1, 20),
)
def test_window_ends_match_a_loop_whatever_the_chunk(
    spans: list[tuple[int, int, int]], limit: int
) -> None:
    """Every chunk holds whole series; together they list exactly the loop's windows."""
    lengths = np.array([length for length, _, _ in spans], dtype=np.int64)
    ends = np.cumsum(lengths)
    starts = ends - lengths + np.minimum([skip for _, skip, _ in spans], lengths)
    window = np.array([w for _, _, w in spans], dtype=np.int64)
    found, counted, covered = [], [], 0
    for low, high, owner, position, count in window_ends(starts, ends, window, limit):
        assert low == covered
        assert high > low
        covered = high
        found += list(zip(owner.tolist(), position.tolist(), strict=True))
        counted += count.tolist()
    assert covered == len(spans)
    assert found == _by_loop(starts, ends, window)
    assert counted == [sum(1 for code, _ in found if code == c) for c in range(len(spans))]


def test_codes_searched_in_the_long_arrays_type_when_they_fit() -> None:
    """Same positions either way; the long array's type only when no value overflows."""
    codes = np.repeat(np.arange(300, dtype=np.int16), 3)
    wanted = np.array([0, 5, 299, 310])
    as_codes = in_code_dtype(wanted, codes)
    assert as_codes.dtype == np.int16
    assert np.array_equal(np.searchsorted(codes, as_codes), np.searchsorted(codes, wanted))
    assert in_code_dtype(np.array([40_000]), codes).dtype == np.int64
    assert in_code_dtype(np.array([1.5]), codes).dtype == np.float64
