"""The replay on the product's own forecasts: the forecasting engine refitted every K
periods on what was known then, its mean and spread used until the next refit.

A trailing mean measures the policy alone; this measures what the nightly run would have
done, model choice, spike cap and classification included. Each refit is one
`forecast_demand` call over every series (never one per series); K trades fidelity for
time (`PolicyParams.simulation_refit_every_days`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from forecasting import ForecastParams, forecast_demand
from forecasting.uncertainty import COUNT_CLASSES
from purchasing.demand_history import DemandHistory
from purchasing.position import KEYS


@dataclass(frozen=True)
class EngineEstimates:
    """Per-period mean and spread of each series at each refit (rows: refits)."""

    refit_at: np.ndarray  # period index of each refit, ascending
    mean: np.ndarray  # (refits, series)
    std: np.ndarray  # (refits, series)
    classes: np.ndarray  # demand class per series at the first refit

    def __call__(self, t: int, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The latest refit at or before period t (never a later one)."""
        k = max(int(np.searchsorted(self.refit_at, t, side="right")) - 1, 0)
        return self.mean[k, rows], self.std[k, rows]


def engine_estimates(
    demand: pd.DataFrame,
    items: pd.DataFrame,
    history: DemandHistory,
    *,
    begin: int,
    refit_every: int,
    params: ForecastParams,
) -> EngineEstimates:
    """Refit at periods begin, begin + K, ... on demand dated before each period starts.

    Per-period figures come from the forecast's protection-interval ones: mean =
    demand_mean / P and sigma^2 = (demand_std^2 - (mean sigma_L)^2) / P, the inverse of
    `forecasting.uncertainty.protection_demand_std`.
    """
    horizon = history.quantity.shape[1]
    refit_at = np.arange(begin, horizon, max(refit_every, 1), dtype=np.int64)
    if refit_at.size == 0:
        refit_at = np.array([min(begin, horizon - 1)], dtype=np.int64)
    dates = pd.to_datetime(demand["date"])
    lead_std = items.get("lead_time_std_days", pd.Series(0.0, index=items.index))
    means, stds = [], []
    classes = np.full(len(history.keys), "smooth", dtype=object)
    for k, t in enumerate(refit_at):
        start = history.periods[int(t)].start_time.normalize()
        result = forecast_demand(
            demand.loc[dates < start], items, as_of=start.date(), params=params
        )
        summary = history.keys.merge(result.summary, on=KEYS, how="left")
        protection = summary["protection_periods"].to_numpy(dtype=float)
        periods = np.where(protection > 0, protection, 1.0)
        mean = np.nan_to_num(summary["demand_mean"].to_numpy(dtype=float)) / periods
        sigma_l = _lead_std_periods(history.keys, items, lead_std, params)
        variance = _implied_std(summary) ** 2
        per_period = np.maximum(variance - (mean * sigma_l) ** 2, 0.0) / periods
        means.append(mean)
        stds.append(np.sqrt(per_period))
        if k == 0:
            classes = summary["demand_class"].fillna("dormant").to_numpy(dtype=object)
    return EngineEstimates(refit_at, np.vstack(means), np.vstack(stds), classes)


def _implied_std(summary: pd.DataFrame) -> np.ndarray:
    """The spread the night orders with. For continuous classes the night's quantile
    comes from the backtest's out-of-sample errors, not from `demand_std` (the in-sample
    fit's); the normal spread that puts the quantile where the night put it is used, so
    the replay's levels are the night's. Count classes read their quantile from their
    own mean and spread (`forecasting.uncertainty`, `forecasting.sporadic`): unchanged."""
    std = np.nan_to_num(summary["demand_std"].to_numpy(dtype=float))
    level = np.nan_to_num(summary["service_level"].to_numpy(dtype=float), nan=0.5)
    above = summary["demand_quantile"].to_numpy(dtype=float) - summary["demand_mean"].to_numpy(
        dtype=float
    )
    continuous = ~summary["demand_class"].isin(COUNT_CLASSES).to_numpy()
    z = stats.norm.ppf(np.clip(level, 0.5, 1 - 1e-4))
    implied = continuous & (z > 0.1) & np.isfinite(above) & (above > 0)
    return np.where(implied, np.divide(above, z, out=std.copy(), where=z > 0.1), std)


def _lead_std_periods(
    keys: pd.DataFrame, items: pd.DataFrame, lead_std: pd.Series, params: ForecastParams
) -> np.ndarray:
    frame = items[KEYS].assign(lead_std=lead_std.astype(float).fillna(0.0))
    aligned = keys.merge(frame, on=KEYS, how="left")["lead_std"].fillna(0.0)
    return aligned.to_numpy(dtype=float) / params.days_per_period
