"""Demand history -> forecasts per item-location (pure: dataframes in and out).

The forecasting engine (statsforecast, scipy, statsmodels, Dask) is imported on first
use, not with the package: the settings import `ForecastParams`, and a command that only
reads the database (`replenish submit` with nothing to send, `replenish review list`)
must not spend tens of seconds importing the engine it never runs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from forecasting.params import ForecastParams

if TYPE_CHECKING:
    from forecasting.classify import DemandClass, classify
    from forecasting.engine import ForecastResult, forecast_demand
    from forecasting.prepare import PreparedDemand, prepare_series

__all__ = [
    "DemandClass",
    "ForecastParams",
    "ForecastResult",
    "PreparedDemand",
    "classify",
    "forecast_demand",
    "prepare_series",
]

_LAZY = {
    "DemandClass": "forecasting.classify",
    "classify": "forecasting.classify",
    "ForecastResult": "forecasting.engine",
    "forecast_demand": "forecasting.engine",
    "PreparedDemand": "forecasting.prepare",
    "prepare_series": "forecasting.prepare",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'forecasting' has no attribute {name!r}")
