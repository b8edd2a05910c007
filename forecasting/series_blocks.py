"""Slices of the prepared demand for one model call: the series of some item-locations.

A model call used to be handed a frame of every series it fits (a copy of the history
with its ids as text); the calls now take the series a block at a time
(`forecasting.execution.blocks`), and each block's frame is cut from the prepared
series by integer codes, so no frame of the whole catalogue is ever built beside it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.prepare import PreparedDemand
from forecasting.windows import in_code_dtype


def positions(prepared: PreparedDemand, codes: np.ndarray) -> np.ndarray:
    """Per row of `prepared.series`, the position of its series in `codes` (-1: not there).

    `codes` are series codes (`table["series_code"]`), each at most once."""
    position = np.full(len(prepared.ids), -1, dtype=np.int32)
    position[codes] = np.arange(len(codes), dtype=np.int32)
    return position[prepared.series["unique_id"].cat.codes.to_numpy()]


def frame_of(prepared: PreparedDemand, codes: np.ndarray) -> pd.DataFrame:
    """The long-format rows (`unique_id`, `ds`, `y`) of the series `codes`, in the
    prepared order (series, then date): what one model call takes.

    The prepared rows are sorted by series code, so each series is one run of rows found
    by binary search: a block costs its own rows, not a pass over the whole catalogue."""
    series = prepared.series
    all_codes = series["unique_id"].cat.codes.to_numpy()
    wanted = in_code_dtype(np.unique(codes), all_codes)
    starts = np.searchsorted(all_codes, wanted, side="left")
    lengths = np.searchsorted(all_codes, wanted, side="right") - starts
    offsets = np.cumsum(lengths) - lengths
    rows = np.arange(int(lengths.sum())) - np.repeat(offsets - starts, lengths)
    return series.iloc[rows]
