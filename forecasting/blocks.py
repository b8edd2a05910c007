"""The common shape of every forecast the engine assembles.

Statistical models, new items and dormant items are forecast by different code; each
returns a block for its rows of the item table, and the engine lays the blocks side by
side without caring how they were made.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ForecastBlock:
    """Forecasts for some rows of the item table, however they were made."""

    rows: np.ndarray
    means: np.ndarray  # (len(rows), horizon)
    sigma: np.ndarray  # per-period forecast error standard deviation
    fit_rmse: np.ndarray
    model: np.ndarray
    fallback: np.ndarray
