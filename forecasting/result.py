"""What a forecast hands on: `ForecastResult`, the value the planning, flagging and run
records take, apart from the engine that makes it.

Apart so a module that only passes a forecast along (services.runs records it,
services.planning and services.flagging read it) imports a dataclass of frames, not
statsforecast, statsmodels and Dask behind `forecasting.engine`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

# The columns of the history kept with each forecast (`forecasting.recent.history_tail`).
HISTORY_COLUMNS = ["sku", "location", "ds", "y"]


@dataclass(frozen=True)
class ForecastResult:
    """What purchasing needs per active item-location (`summary`), the per-period
    forecast behind it (`path`) and the latest history it was fitted on (`history`,
    `forecasting.recent.HISTORY_TAIL_PERIODS` per series); columns as in docs/frames.md."""

    summary: pd.DataFrame
    path: pd.DataFrame
    history: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=HISTORY_COLUMNS))
