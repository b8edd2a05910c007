"""The two rules a replay compares, run on one setup: the product's policy at given
service targets, and the spreadsheet min/max (plain, or with safety stock); and the
figures a replay's tallies pool into.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting.sporadic import SPORADIC_CLASSES
from purchasing.replay import Estimator, ReplayStep, ReplayTotals, SeriesTerms, replay
from purchasing.replay_classes import COUNT_LIKE, window_classes
from purchasing.replay_estimates import trailing_estimator
from purchasing.replay_levels import (
    Levels,
    min_max_baseline_levels,
    product_levels,
    safety_baseline_levels,
)
from purchasing.replay_policies import PolicyArrays, apply_policies
from purchasing.service_measure import FILL_RATE


def summarise(
    totals: ReplayTotals, service_level: np.ndarray, where: np.ndarray | None = None
) -> dict[str, float | int]:
    """Pooled figures over all replayed series (or those `where` marks): each unit and
    each cycle counts once."""
    if where is not None:
        totals = ReplayTotals(
            **{name: getattr(totals, name)[where] for name in ReplayTotals.__dataclass_fields__}
        )
        service_level = np.asarray(service_level)[where]
    replayed = totals.periods > 0
    demand = float(totals.demand.sum())
    cycles = float(totals.cycles.sum())
    # Value held on average per series, summed: what the shelf ties up on a typical day.
    held = totals.inventory_value[replayed] / totals.periods[replayed]
    return {
        "fill_rate": float(totals.served.sum()) / demand if demand > 0 else 1.0,
        "cycle_service_level": 1.0 - float(totals.stockout_cycles.sum()) / cycles
        if cycles > 0
        else 1.0,
        "target_service_level": _target(service_level, totals.cycles, replayed),
        "avg_inventory_value": round(float(held.sum()), 2),
        "orders": int(totals.orders.sum()),
        "stockout_periods": int(totals.stockout_periods.sum()),
        "series": int(replayed.sum()),
        "periods": int(totals.periods.sum()),
    }


def _target(service_level: np.ndarray, cycles: np.ndarray, replayed: np.ndarray) -> float:
    """The target weighted by cycles, like the achieved figure, so that the two compare."""
    if cycles.sum() > 0:
        return float((service_level * cycles).sum() / cycles.sum())
    return float(service_level[replayed].mean()) if replayed.any() else 0.0


@dataclass(frozen=True)
class ReplaySetup:
    """Everything a replay needs besides the service target: demand, terms, estimates."""

    demand: np.ndarray
    terms: SeriesTerms
    window: int
    backorder: bool
    seed: int = 0
    policies: PolicyArrays | None = None
    periods_per_year: float = 365.0
    classes: np.ndarray | None = None  # demand class per series; None = from the window
    fill_rate_classes: tuple[str, ...] = ("intermittent", "lumpy")
    estimate: Estimator | None = None  # None = trailing-window mean and spread

    def series_classes(self) -> np.ndarray:
        if self.classes is not None:
            return self.classes
        return window_classes(self.demand, self.terms.begin, self.window)

    def policy_estimate(self, classes: np.ndarray) -> Estimator:
        """The engine's estimates when given, else the trailing window with the policy's
        own reading of sporadic series (`purchasing.replay_estimates`)."""
        if self.estimate is not None:
            return self.estimate
        own = np.isin(classes, SPORADIC_CLASSES)
        return trailing_estimator(self.demand, self.terms, self.window, own)

    def spreadsheet_estimate(self) -> Estimator:
        """What a spreadsheet has: the trailing window's average and standard deviation,
        whatever the policy is given."""
        return trailing_estimator(self.demand, self.terms, self.window)

    def fill_rate(self, classes: np.ndarray) -> np.ndarray:
        """Which series state their target as a fill rate (policy measure, else class)."""
        by_class = np.isin(classes, self.fill_rate_classes)
        if self.policies is None or self.policies.measure is None:
            return by_class
        named = self.policies.measure
        return np.where(pd.isna(named), by_class, named == FILL_RATE).astype(bool)


def replay_policy(setup: ReplaySetup, service_level: np.ndarray) -> dict[str, float | int]:
    """Figures of the product's policy at the given per-series service targets."""
    totals = policy_totals(setup, service_level)
    figures = summarise(totals, service_level)
    replayed = totals.periods > 0
    measured = setup.fill_rate(setup.series_classes()) & replayed
    figures["fill_rate_series"] = int(measured.sum())
    # The fill rate achieved where it is the promise (NaN-free: 1.0 without such demand).
    asked = float(totals.demand[measured].sum())
    figures["fill_rate_of_fill_rate_series"] = (
        float(totals.served[measured].sum()) / asked if asked > 0 else 1.0
    )
    return figures


def policy_totals(
    setup: ReplaySetup,
    service_level: np.ndarray,
    observe: Callable[[ReplayStep], None] | None = None,
) -> ReplayTotals:
    """Per-series tallies of the product's policy at the given service targets
    (`observe`: see `purchasing.replay.replay`)."""
    terms, policies = setup.terms, setup.policies
    classes = setup.series_classes()
    count_like = np.isin(classes, COUNT_LIKE)
    fill = setup.fill_rate(classes)

    def policy(rows: np.ndarray, mean: np.ndarray, std: np.ndarray) -> Levels:
        levels = product_levels(
            mean, std, lead_periods=terms.lead_periods[rows],
            lead_std_periods=terms.lead_std_periods[rows],
            review_periods=terms.review_periods[rows], service_level=service_level[rows],
            count_like=count_like[rows], fill_rate=fill[rows], lost_sales=not setup.backorder,
        )  # fmt: skip
        if policies is None:
            return levels
        return apply_policies(
            levels, rows, mean, policies, unit_cost=terms.unit_cost,
            periods_per_year=setup.periods_per_year,
        )  # fmt: skip

    return replay(
        setup.demand, terms, policy, setup.policy_estimate(classes),
        backorder=setup.backorder, seed=setup.seed, observe=observe,
    )  # fmt: skip


def replay_baseline(
    setup: ReplaySetup, service_level: np.ndarray | None = None
) -> dict[str, float | int]:
    """Figures of the spreadsheet min/max (`baseline_totals`)."""
    totals = baseline_totals(setup, service_level)
    return summarise(totals, setup.terms.service_level if service_level is None else service_level)


def baseline_totals(
    setup: ReplaySetup,
    service_level: np.ndarray | None = None,
    observe: Callable[[ReplayStep], None] | None = None,
) -> ReplayTotals:
    """The spreadsheet min/max; with `service_level`, plus its z x sigma x sqrt(L) safety.

    Always on the trailing window's average and spread: a buyer with a spreadsheet has no
    forecasting engine, so the comparison prices what the product adds, model included.
    """
    terms = setup.terms

    def baseline(rows: np.ndarray, mean: np.ndarray, std: np.ndarray) -> Levels:
        if service_level is None:
            return min_max_baseline_levels(
                mean, lead_periods=terms.lead_periods[rows],
                review_periods=terms.review_periods[rows],
            )  # fmt: skip
        return safety_baseline_levels(
            mean, std, lead_periods=terms.lead_periods[rows],
            review_periods=terms.review_periods[rows], service_level=service_level[rows],
        )  # fmt: skip

    return replay(
        setup.demand, terms, baseline, setup.spreadsheet_estimate(),
        backorder=setup.backorder, seed=setup.seed, observe=observe,
    )  # fmt: skip
