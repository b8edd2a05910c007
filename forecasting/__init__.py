"""Demand history -> forecasts per item-location (pure: dataframes in and out)."""

from forecasting.classify import DemandClass, classify
from forecasting.engine import ForecastResult, forecast_demand
from forecasting.params import ForecastParams
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
