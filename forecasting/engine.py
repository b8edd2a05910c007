"""History -> per item-location forecast of demand over the protection interval
(lead time + review period): its mean, spread and service-level quantile.

This module is the orchestration: it builds the item table, has every item forecast
by its models or cold-start rule (`forecasting.models`, `forecasting.cold_start`), and
sums the result over each protection interval (`forecasting.frames`).
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd

from contracts import frame_schemas as schemas
from forecasting import progress
from forecasting.candidates import SEASON, candidate_set, selection_candidates
from forecasting.censoring import censor_stockouts
from forecasting.cleansing import cap_spikes
from forecasting.cold_start import forecast_dormant_items, forecast_new_items
from forecasting.conformal import conformal_quantile
from forecasting.frames import PATH_COLUMNS, SUMMARY_COLUMNS, path_frame, summary_frame
from forecasting.interval import out_of_sample_quantile
from forecasting.item_table import demand_of, item_table, with_history
from forecasting.models import CONTINUOUS, SPORADIC, Candidate, candidate_chains
from forecasting.params import ForecastParams, periods_in_days
from forecasting.plausibility import guard_summary, largest_interval_demand
from forecasting.prepare import PreparedDemand, prepare_series
from forecasting.recent import capped_figures, history_tail, recent_figures
from forecasting.result import ForecastResult
from forecasting.selection import Selection, choose_models, empty_selection
from forecasting.sporadic import sporadic_demand
from forecasting.statistical import forecast_chosen, forecast_statistical
from forecasting.uncertainty import COUNT_CLASSES, protection_demand_std, protection_quantile

# The column, chain and uncertainty names are re-exported: callers and tests import
# them from here, where they lived before the engine was split.
__all__ = [
    "CONTINUOUS",
    "COUNT_CLASSES",
    "PATH_COLUMNS",
    "SPORADIC",
    "SUMMARY_COLUMNS",
    "Candidate",
    "ForecastResult",
    "candidate_chains",
    "forecast_demand",
    "protection_demand_std",
    "protection_quantile",
]

# Beyond a year the per-period path is extrapolated flat from its last step rather
# than materialised, so one absurd lead time cannot allocate a giant matrix.
_MAX_HORIZON_DAYS = 366


def forecast_demand(
    demand: pd.DataFrame,
    items: pd.DataFrame,
    *,
    as_of: date,
    params: ForecastParams,
    stock_history: pd.DataFrame | None = None,
) -> ForecastResult:
    """Forecast every active item-location in `items`, including those never sold.

    Statistical series go through one statsforecast call per model (never one per
    series); with `choose_by_backtest` each gets the candidate a cheap rolling-origin
    backtest prefers (`forecasting.selection`), else the first model of its chain that
    its history allows. New and dormant items get documented rules
    (see `forecasting.cold_start`). With a `stock_history`, zero-sale periods spent out
    of stock are re-estimated before anything is fitted (`forecasting.censoring`).
    """
    table = item_table(items, params)
    raw = prepare_series(demand_of(demand, table), as_of=as_of, frequency=params.frequency)
    # Not needed from here on: when the caller handed over its only reference (the
    # nightly flow does), millions of demand rows are freed before the model calls.
    del demand
    censored = censor_stockouts(raw, stock_history, params.frequency)
    capped = cap_spikes(censored.prepared, params.spike_cap_factor, params.spike_min_sales)
    prepared = capped.prepared
    table = with_history(table, prepared, params)
    max_horizon = periods_in_days(_MAX_HORIZON_DAYS, params.frequency)
    longest = table["protection_periods"].to_numpy().max(initial=0.0)
    horizon = min(max(1, math.ceil(longest)), max_horizon)

    # `candidate_chains` is looked up in this module at call time, so a test can swap
    # the models for the whole engine by patching `forecasting.engine.candidate_chains`.
    chains = candidate_chains(params.frequency)
    progress.catalogue(len(table))
    selection = _selection(table, prepared, params)
    blocks = [
        *forecast_chosen(selection.groups, table, prepared, params.frequency, horizon),
        *forecast_statistical(
            table, prepared, chains, params.frequency, horizon, skip=selection.chosen
        ),
    ]
    for rule, block in (
        ("new-item rule", forecast_new_items(table, horizon)),
        ("dormant rule", forecast_dormant_items(table, prepared, params, horizon)),
    ):
        blocks.append(block)
        if len(block.rows):
            progress.model_call("forecast", rule, len(block.rows))
    means = np.zeros((len(table), horizon))
    columns: dict[str, np.ndarray] = {
        "sigma": np.zeros(len(table)),
        "fit_rmse": np.full(len(table), np.nan),
        "model": np.full(len(table), None, dtype=object),
        "fallback": np.full(len(table), None, dtype=object),
    }
    for block in blocks:
        means[block.rows] = block.means
        for name, values in columns.items():
            values[block.rows] = getattr(block, name)
    columns["backtest_rmsse"] = selection.rmsse
    columns["backtest_mase"] = selection.mase
    columns["bias"] = selection.bias
    columns["candidates"] = selection.candidates
    # Demand is never negative; additive models can dip below zero on slow days.
    means = np.clip(np.nan_to_num(means, nan=0.0, posinf=0.0), 0.0, None)
    columns.update(recent_figures(selection, raw, table, columns["sigma"], params))
    columns.update(capped_figures(capped, table))
    columns["censored_periods"] = _per_row(censored.periods, table)
    summary = summary_frame(table, means, columns)
    if params.sum_quantile == "out_of_sample":
        summary["demand_quantile"] = out_of_sample_quantile(
            summary["demand_quantile"].to_numpy(),
            summary["demand_mean"].to_numpy(),
            summary["mean_per_period"].to_numpy(),
            summary["protection_periods"].to_numpy(),
            table["lead_time_std_periods"].to_numpy(),
            summary["service_level"].to_numpy(),
            summary["demand_class"].to_numpy(),
            selection,
            min_scores=params.conformal_min_scores,
        )
    elif params.sum_quantile == "conformal":
        summary["demand_quantile"] = conformal_quantile(
            summary["demand_quantile"].to_numpy(),
            summary["demand_mean"].to_numpy(),
            summary["demand_std"].to_numpy(),
            summary["service_level"].to_numpy(),
            summary["demand_class"].to_numpy(),
            columns["sigma"],
            selection,
            min_scores=params.conformal_min_scores,
        )
    if params.sporadic_demand == "own_totals":
        sporadic_demand(summary, table, capped, params)
    # Last: whatever produced the quantile, an impossible one never reaches purchasing.
    codes = table["series_code"].to_numpy()
    largest_by_code = largest_interval_demand(
        raw.series, len(raw.ids), _protection_by_code(codes, table, len(raw.ids))
    )
    largest = np.where(codes >= 0, largest_by_code[np.maximum(codes, 0)], np.nan)
    summary["precedent"] = largest
    guard_summary(summary, means, table, largest, params.plausible_multiple)
    path = path_frame(table, means, prepared.future_dates(horizon))
    history = history_tail(raw, params.frequency)  # what was sold, spikes included
    # Checked where built (docs/frames.md): a bug here must not reach purchasing.
    schemas.FORECAST_SUMMARY.check(summary)
    schemas.FORECAST_PATH.check(path)
    return ForecastResult(summary=summary, path=path, history=history)


def _per_row(by_code: np.ndarray, table: pd.DataFrame) -> np.ndarray:
    """A per-series count spread to the item-table rows (0 where a row has no history)."""
    codes = table["series_code"].to_numpy()
    return np.where(codes >= 0, by_code[np.maximum(codes, 0)], 0).astype(np.int64)


def _protection_by_code(codes: np.ndarray, table: pd.DataFrame, n_series: int) -> np.ndarray:
    """Each series' protection interval (periods), from the item-table row that has it."""
    out = np.ones(n_series)
    known = codes >= 0
    out[codes[known]] = table["protection_periods"].to_numpy()[known]
    return out


def _selection(table: pd.DataFrame, prepared: PreparedDemand, params: ForecastParams) -> Selection:
    """The backtest's choice, or an empty one (every row keeps its chain) when it is off.

    `selection_candidates` is looked up here at call time, so tests can patch it.
    """
    if params.choose_by_backtest and len(table):
        history = float(table["history_periods"].median())
        which = candidate_set(params.frequency, len(table), params, history)
        candidates = selection_candidates(params.frequency, which)
        return choose_models(table, prepared, candidates, params, SEASON[params.frequency])
    return empty_selection(len(table))
