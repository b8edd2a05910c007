"""The policy and the spreadsheet replayed for the business case, measured from the
first night on: the replay opens a few weeks earlier (every item-location at its target
stock at once, which no real shelf is), and those warm-up weeks are left out of every
figure, the saving at equal fill included.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from purchasing.replay import ReplayStep
from purchasing.replay_rules import ReplaySetup, baseline_totals, policy_totals
from services.business_case_model import ServiceFigures

_UNMET = 1e-9


@dataclass
class PeriodSeries:
    """A replay observer summing, per period, over all item-locations: the stock value
    held at the period's end, the demand asked and served, and the item-locations left
    short."""

    stock_value: dict[int, float] = field(default_factory=dict)
    asked: dict[int, float] = field(default_factory=dict)
    served: dict[int, float] = field(default_factory=dict)
    short: dict[int, int] = field(default_factory=dict)

    def __call__(self, step: ReplayStep) -> None:
        self.stock_value[step.t] = float(step.stock_value.sum())
        self.asked[step.t] = float(step.asked.sum())
        self.served[step.t] = float(step.served.sum())
        self.short[step.t] = int(((step.asked - step.served) > _UNMET).sum())

    def figures(self, start: int) -> ServiceFigures:
        """Fill rate, stock-out periods and average inventory value from period `start`
        on (the fill rate None without demand)."""
        periods = [t for t in self.asked if t >= start]
        asked = sum(self.asked[t] for t in periods)
        served = sum(self.served[t] for t in periods)
        held = sum(self.stock_value[t] for t in periods) / len(periods) if periods else 0.0
        return ServiceFigures(
            fill_rate=round(served / asked, 4) if asked > 0 else None,
            stockout_periods=sum(self.short[t] for t in periods),
            avg_inventory_value=round(held, 2),
            demand_units=round(asked, 2),
        )


def replay_policy(
    setup: ReplaySetup, level: np.ndarray, also: Callable[[ReplayStep], None] | None = None
) -> PeriodSeries:
    """The policy at per-series targets `level`; `also` observes the same steps."""
    series = PeriodSeries()

    def observe(step: ReplayStep) -> None:
        series(step)
        if also is not None:
            also(step)

    policy_totals(setup, level, observe=observe)
    return series


def replay_baseline(setup: ReplaySetup, level: np.ndarray | None = None) -> PeriodSeries:
    """The spreadsheet min/max, plain (None) or with safety stock for `level`."""
    series = PeriodSeries()
    baseline_totals(setup, level, observe=series)
    return series


def measured_curve(
    setup: ReplaySetup, start: int, targets: Sequence[float]
) -> dict[str, list[dict[str, float]]]:
    """Both service curves (`purchasing.service_curve`'s points) measured from `start`."""
    curve: dict[str, list[dict[str, float]]] = {"policy": [], "baseline": []}
    n = setup.terms.service_level.size
    for target in sorted(targets):
        level = np.full(n, float(target))
        for side, series in (
            ("policy", replay_policy(setup, level)),
            ("baseline", replay_baseline(setup, level)),
        ):
            figures = series.figures(start)
            if figures.fill_rate is None:
                continue
            curve[side].append({"service_target": float(target), "fill_rate": figures.fill_rate,
                                "avg_inventory_value": figures.avg_inventory_value})  # fmt: skip
    return curve
