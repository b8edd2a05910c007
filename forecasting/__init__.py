"""Demand history -> forecasts per item-location (pure: dataframes in and out).

The forecasting engine (statsforecast, scipy, statsmodels, Dask) is imported on first
use, not with the package: the settings import `ForecastParams`, and a command that only
reads the database (`replenish submit` with nothing to send, `replenish review list`)
must not spend tens of seconds importing the engine it never runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.lazy_exports import lazy_exports

# Light (numpy, pandas), and `classify` must be the function, not its module.
from forecasting.classify import DemandClass, classify
from forecasting.params import ForecastParams
from forecasting.prepare import PreparedDemand, prepare_series

if TYPE_CHECKING:
    from forecasting.engine import forecast_demand
    from forecasting.result import ForecastResult

__all__ = [
    "DemandClass",
    "ForecastParams",
    "ForecastResult",
    "PreparedDemand",
    "classify",
    "forecast_demand",
    "prepare_series",
]

_LAZY = {"ForecastResult": "forecasting.result", "forecast_demand": "forecasting.engine"}

__getattr__ = lazy_exports(__name__, _LAZY)
