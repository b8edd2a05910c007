"""The two frames the forecast hands on, columns as in docs/frames.md.

The summary is what purchasing orders from (demand over each protection interval and
its quantile); the path is the per-period forecast behind it, kept for tracing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.recent import CAPPED_COLUMNS, RECENT_COLUMNS
from forecasting.uncertainty import COUNT_CLASSES, protection_demand_std, protection_quantile

SUMMARY_COLUMNS = [
    "sku",
    "location",
    "demand_class",
    "model",
    "fallback",
    "history_periods",
    "mean_per_period",
    "protection_periods",
    "demand_mean",
    "demand_std",
    "service_level",
    "demand_quantile",
    "fit_rmse",
    # Added by the backtest choice (NaN / None where no backtest chose the model):
    # the chosen model's RMSSE and MASE (scaled by the in-sample seasonal naive error),
    # bias (mean forecast - actual over the MASE scale; > 0 over-forecasts) and
    # candidates, compact JSON {model: RMSSE}, null where a model failed or did not fit.
    "backtest_rmsse",
    "backtest_mase",
    "bias",
    "candidates",
    # Why the model's quantity was rejected as implausible (`forecasting.plausibility`),
    # None when it was not; such a line is held for a person (IMPLAUSIBLE_FORECAST).
    "implausible",
    # The latest demand next to the forecast (`forecasting.recent`): the span in days
    # (a week, or the last period), the demand in it, the forecast's mean for as many
    # periods ahead and the spread of that sum; NaN for items never sold. Read by the
    # DEMAND_ANOMALY review rule.
    *RECENT_COLUMNS,
    # Periods of history capped as one-off spikes before fitting (`forecasting.cleansing`)
    # and the cap (NaN where none was).
    *CAPPED_COLUMNS,
    # Zero-sale periods spent out of stock, re-estimated before fitting
    # (`forecasting.censoring`; 0 without a stock history).
    "censored_periods",
    # Where a sporadic item's spread came from (`forecasting.sporadic`): its own interval
    # totals, or the model's widened by its class's dispersion; None = the model's.
    "spread_basis",
    # The most the series ever sold over a window as long as its protection interval
    # (as sold, spikes included; NaN without history): what UNPRECEDENTED_STOCK and the
    # plausibility guard compare a quantity with.
    "precedent",
]
PATH_COLUMNS = ["sku", "location", "ds", "step", "mean"]


def summary_frame(
    table: pd.DataFrame,
    means: np.ndarray,
    columns: dict[str, np.ndarray],
) -> pd.DataFrame:
    """Sum the path over each item's protection interval and read off its quantile."""
    protection = table["protection_periods"].to_numpy()
    horizon = means.shape[1]
    # Step j (1-based) counts fully while j <= P, by its fraction in the step holding P,
    # and beyond the materialised horizon the last step is extrapolated flat.
    weights = np.clip(protection[:, None] - np.arange(horizon)[None, :], 0.0, 1.0)
    demand_mean = (means * weights).sum(axis=1) + np.maximum(protection - horizon, 0) * means[:, -1]
    mean_per_period = np.divide(
        demand_mean, protection, out=means[:, 0].copy(), where=protection > 0
    )
    demand_std = protection_demand_std(
        columns["sigma"], protection, mean_per_period, table["lead_time_std_periods"].to_numpy()
    )
    count_like = table["demand_class"].isin(COUNT_CLASSES).to_numpy()
    service_level = table["service_level"].to_numpy()
    quantile = protection_quantile(demand_mean, demand_std, service_level, count_like)
    return pd.DataFrame(
        {
            "sku": table["sku"],
            "location": table["location"],
            "demand_class": table["demand_class"],
            "model": columns["model"],
            "fallback": columns["fallback"],
            "history_periods": table["history_periods"],
            "mean_per_period": mean_per_period,
            "protection_periods": protection,
            "demand_mean": demand_mean,
            "demand_std": demand_std,
            "service_level": service_level,
            "demand_quantile": quantile,
            "fit_rmse": columns["fit_rmse"],
            "backtest_rmsse": columns["backtest_rmsse"],
            "backtest_mase": columns["backtest_mase"],
            "bias": columns["bias"],
            "candidates": columns["candidates"],
            "implausible": np.full(len(table), None, dtype=object),
            **{
                name: columns.get(name, np.full(len(table), np.nan))
                for name in [*RECENT_COLUMNS, *CAPPED_COLUMNS]
            },
            "censored_periods": columns.get(
                "censored_periods", np.zeros(len(table), dtype=np.int64)
            ),
            "spread_basis": np.full(len(table), None, dtype=object),
            "precedent": np.full(len(table), np.nan),
        }
    )[SUMMARY_COLUMNS]


def path_frame(table: pd.DataFrame, means: np.ndarray, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """The per-period forecast, one row per item-location and step."""
    horizon = means.shape[1]
    return pd.DataFrame(
        {
            "sku": np.repeat(table["sku"].to_numpy(), horizon),
            "location": np.repeat(table["location"].to_numpy(), horizon),
            "ds": np.tile(dates.to_numpy(), len(table)),
            "step": np.tile(np.arange(1, horizon + 1, dtype=np.int32), len(table)),
            "mean": means.ravel(),
        }
    )[PATH_COLUMNS]
