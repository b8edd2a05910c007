"""Demand classes of replayed series, from the history before the replay starts.

The nightly run classifies every series (Syntetos-Boylan) and reads its quantile from a
count distribution for the sporadic classes, and states its service level as a fill rate
for the classes in `PolicyParams.fill_rate_classes`. The replay does the same from the
training window before each series' first replayed period: never from the future.
"""

from __future__ import annotations

import numpy as np

from forecasting.classify import (
    ADI_CUTOFF,
    CV2_CUTOFF,
    DORMANT,
    ERRATIC,
    INTERMITTENT,
    LUMPY,
    SMOOTH,
)

COUNT_LIKE = (INTERMITTENT, LUMPY, DORMANT)


def window_classes(demand: np.ndarray, begin: np.ndarray, window: int) -> np.ndarray:
    """Class of each series over periods [begin - window, begin) of `demand`."""
    n, horizon = demand.shape
    end = np.clip(begin, 0, horizon)
    start = np.clip(end - window, 0, horizon)
    rows = np.arange(n)

    def windowed(values: np.ndarray) -> np.ndarray:
        cumulative = np.concatenate([np.zeros((n, 1)), np.cumsum(values, axis=1)], axis=1)
        return cumulative[rows, end] - cumulative[rows, start]

    selling = windowed((demand > 0).astype(float))
    total = windowed(demand)
    squares = windowed(demand**2)
    length = (end - start).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        adi = np.where(selling > 0, length / selling, np.inf)
        size = np.where(selling > 0, total / selling, 0.0)
        cv2 = np.where(size > 0, (squares / np.maximum(selling, 1) - size**2) / size**2, 0.0)
    sporadic = adi >= ADI_CUTOFF
    varied = cv2 >= CV2_CUTOFF
    conditions = [selling == 0, sporadic & varied, sporadic, varied]
    classes = np.select(conditions, [DORMANT, LUMPY, INTERMITTENT, ERRATIC], SMOOTH)
    return classes.astype(object)
