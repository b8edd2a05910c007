"""`simulate`: replay the ordering policy and a spreadsheet min/max baseline over history.

The business outcome of a policy is not its forecast error but the service it delivers
and the stock it ties up. Both rules are replayed on the same demand, lead times and
supplier terms (pack, MOQ, maximum), so the difference in the figures is the policy's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

import numpy as np
import pandas as pd

from forecasting import ForecastParams
from purchasing.demand_history import DemandHistory, demand_history, without_one_offs
from purchasing.params import PolicyParams
from purchasing.position import KEYS, require_unique
from purchasing.replay import Estimator, SeriesTerms
from purchasing.replay_policies import PolicyArrays, policy_arrays
from purchasing.replay_rules import (
    ReplaySetup,
    replay_baseline,
    replay_policy,
    summarise,
)

__all__ = [
    "FIGURES",
    "ReplaySetup",
    "SimulationResult",
    "replay_baseline",
    "replay_inputs",
    "replay_policy",
    "series_terms",
    "simulate",
    "simulate_terms",
    "summarise",
]

FIGURES = (
    "fill_rate",
    "cycle_service_level",
    "target_service_level",
    "avg_inventory_value",
    "orders",
    "stockout_periods",
)


@dataclass(frozen=True)
class SimulationResult:
    """Figures of the policy and of the baseline (keys: FIGURES, plus series/periods), and
    their service curves when asked for (`purchasing.service_curve`)."""

    policy: dict[str, float | int]
    baseline: dict[str, float | int]
    curve: dict[str, list[dict[str, float]]] | None = None


def series_terms(
    items: pd.DataFrame,
    history: DemandHistory,
    *,
    params: PolicyParams,
    days_per_period: float,
    window: int,
) -> SeriesTerms:
    """Item terms in periods, aligned with `history.keys`, defaults from `params`."""
    require_unique(items, KEYS, "items")
    terms = history.keys.merge(items, on=KEYS, how="left")
    review_days = (
        terms["review_period_days"].astype(float).fillna(params.default_review_period_days)
    )
    level = terms["service_level"].astype(float).fillna(params.default_service_level)
    lead_std = terms.get("lead_time_std_days", pd.Series(0.0, index=terms.index))
    return SeriesTerms(
        begin=history.first_period + window,
        lead_periods=np.rint(terms["lead_time_days"].to_numpy(float) / days_per_period).astype(
            np.int64
        ),
        lead_std_periods=lead_std.astype(float).fillna(0.0).to_numpy() / days_per_period,
        review_periods=np.maximum(np.rint(review_days.to_numpy() / days_per_period), 1).astype(
            np.int64
        ),
        service_level=level.to_numpy(),
        unit_cost=terms["unit_cost"].astype(float).fillna(0.0).to_numpy(),
        pack_size=terms["pack_size"].astype(float).fillna(1.0).to_numpy(),
        moq=terms["moq"].astype(float).fillna(0.0).to_numpy(),
        max_qty=terms["max_order_qty"].astype(float).to_numpy(),
    )


def simulate_terms(
    demand: np.ndarray,
    terms: SeriesTerms,
    *,
    window: int,
    backorder: bool,
    seed: int = 0,
    policies: PolicyArrays | None = None,
    periods_per_year: float = 365.0,
    classes: np.ndarray | None = None,
    fill_rate_classes: tuple[str, ...] = ("intermittent", "lumpy"),
    estimate: Estimator | None = None,
) -> SimulationResult:
    """Replay policy and baseline on a demand matrix with the given terms.

    `policies` = the configured per-item policies; None = order-up-to everywhere. The
    policy orders up to each series' level for its service measure (`product_levels`).
    """
    setup = ReplaySetup(
        demand, terms, window, backorder, seed, policies, periods_per_year, classes,
        tuple(fill_rate_classes), estimate,
    )  # fmt: skip
    return SimulationResult(
        policy=replay_policy(setup, terms.service_level), baseline=replay_baseline(setup)
    )


def simulate(
    items: pd.DataFrame,
    demand: pd.DataFrame,
    *,
    as_of: date | datetime | pd.Timestamp | str,
    frequency: str,
    days_per_period: float,
    params: PolicyParams | None = None,
    forecast_params: ForecastParams | None = None,
    curve_targets: Sequence[float] = (),
) -> SimulationResult:
    """Replay the policy and the baseline over the validated history of the active items
    (`replay_setup`); `curve_targets` adds both service curves (`purchasing.service_curve`).
    """
    from purchasing.service_curve import service_curve

    setup = replay_setup(
        items, demand, as_of=as_of, frequency=frequency, days_per_period=days_per_period,
        params=params, forecast_params=forecast_params,
    )  # fmt: skip
    return SimulationResult(
        policy=replay_policy(setup, setup.terms.service_level),
        baseline=replay_baseline(setup),
        curve=service_curve(setup, curve_targets) if curve_targets else None,
    )


def replay_setup(
    items: pd.DataFrame,
    demand: pd.DataFrame,
    *,
    as_of: date | datetime | pd.Timestamp | str,
    frequency: str,
    days_per_period: float,
    params: PolicyParams | None = None,
    forecast_params: ForecastParams | None = None,
) -> ReplaySetup:
    """Demand, terms, policies and estimates of a replay over the active items' history
    (`replay_inputs`)."""
    setup, _ = replay_inputs(
        items, demand, as_of=as_of, frequency=frequency, days_per_period=days_per_period,
        params=params, forecast_params=forecast_params,
    )  # fmt: skip
    return setup


def replay_inputs(
    items: pd.DataFrame,
    demand: pd.DataFrame,
    *,
    as_of: date | datetime | pd.Timestamp | str,
    frequency: str,
    days_per_period: float,
    params: PolicyParams | None = None,
    forecast_params: ForecastParams | None = None,
    last_periods: int | None = None,
) -> tuple[ReplaySetup, DemandHistory]:
    """The replay's setup and the demand history it was built from (its periods date
    the replay's steps; its quantities are as sold).

    With `params.simulation_estimates == "engine"` and `forecast_params`, the policy sees
    the forecasting engine's estimates, refitted every `simulation_refit_every_days` (the
    baseline always a spreadsheet's trailing average and spread). Both are asked for the
    ordinary demand only: one-off bulk orders, as the forecast recognises them, are
    special orders (`demand_history.without_one_offs`). `last_periods` replays only the
    last that many periods (every series starts there, or later if it is younger), the
    history before them still feeding the estimates.
    """
    from purchasing.engine_estimates import engine_estimates

    params = params or PolicyParams()
    active = items.loc[items["active"].astype(bool)].reset_index(drop=True)
    history = demand_history(demand, active, frequency=frequency, as_of=as_of)
    window = max(2, int(np.ceil(params.simulation_window_days / days_per_period)))
    terms = series_terms(
        active, history, params=params, days_per_period=days_per_period, window=window
    )
    if last_periods is not None:
        start = max(history.quantity.shape[1] - last_periods, 0)
        terms = replace(terms, begin=np.maximum(terms.begin, start))
    category = active.get("category", "")
    series = history.keys.merge(active[KEYS].assign(category=category), on=KEYS, how="left")
    estimate, classes = None, None
    if params.simulation_estimates == "engine" and forecast_params is not None:
        refit = max(1, round(params.simulation_refit_every_days / days_per_period))
        first = int(terms.begin.min()) if terms.begin.size else 0  # the first replayed period
        engine = engine_estimates(
            demand, active, history, begin=first, refit_every=refit, params=forecast_params
        )
        estimate, classes = engine, engine.classes
    spikes = forecast_params or ForecastParams()
    ordinary = without_one_offs(history.quantity, spikes.spike_cap_factor, spikes.spike_min_sales)
    setup = ReplaySetup(
        ordinary, terms, window, params.unmet_demand == "backorder",
        params.simulation_seed, policy_arrays(series.fillna({"category": ""}), params),
        365.0 / days_per_period, classes, tuple(params.fill_rate_classes), estimate,
    )  # fmt: skip
    return setup, history
