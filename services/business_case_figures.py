"""The business case's arithmetic, pure: nights summed, the inventory saving at equal
fill, and the weekly points of the chart.

Unknown stays unknown: a fill rate without demand, or a saving where the policy's curve
never reaches the spreadsheet's fill rate, is None, not 0 or 1.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any, Protocol

from purchasing.service_curve import inventory_at_fill, savings_at_equal_fill
from services.business_case_model import EqualFill, NightFigures, WeekPoint

Curve = dict[str, list[dict[str, float]]]
BASELINE_SETTING = 0.95  # the spreadsheet's usual 95% setting: where the saving is read


class Series(Protocol):
    """Per replayed period: stock value held at its end, demand asked, demand served."""

    stock_value: dict[int, float]
    asked: dict[int, float]
    served: dict[int, float]


def sum_nights(nights: Sequence[NightFigures]) -> NightFigures | None:
    """The nights added up (dated with the last night); None without a night."""
    if not nights:
        return None
    fields = [n for n in NightFigures.model_fields if n not in ("night", "held_by_reason")]
    totals: dict[str, Any] = {name: sum(getattr(n, name) for n in nights) for name in fields}
    reasons: Counter[str] = Counter()
    for night in nights:
        reasons.update(night.held_by_reason)
    totals["held_by_reason"] = dict(sorted(reasons.items()))
    money = ("value", "auto_approved_value", "value_to_people")
    totals.update({name: round(float(totals[name]), 2) for name in money})
    return NightFigures(night=nights[-1].night, **totals)


def equal_fill(curve: Curve, setting: float = BASELINE_SETTING) -> EqualFill:
    """The inventory saving at equal fill: take the spreadsheet's point at its `setting`
    (fill rate f, average inventory B); read the policy's average inventory P at fill f
    along its own curve (linear between its points); the saving is 1 - P / B, and
    B - P in money. None where the policy never serves f or B is nothing."""
    point = next(
        (p for p in curve.get("baseline", []) if abs(p["service_target"] - setting) < 1e-9), None
    )
    savings = [s["saving"] for s in savings_at_equal_fill(curve) if s["saving"] is not None]
    lowest = round(float(min(savings)), 4) if savings else None
    if point is None:
        return EqualFill(baseline_fill_rate=None, baseline_inventory_value=None,
                         policy_inventory_value=None, saving=None, saving_amount=None,
                         lowest_saving=lowest)  # fmt: skip
    held = float(point["avg_inventory_value"])
    policy = inventory_at_fill(curve["policy"], point["fill_rate"])
    known = policy is not None and held > 0
    return EqualFill(
        baseline_fill_rate=point["fill_rate"],
        baseline_inventory_value=round(held, 2),
        policy_inventory_value=None if policy is None else round(policy, 2),
        saving=round(1.0 - policy / held, 4) if known and policy is not None else None,
        saving_amount=round(held - policy, 2) if known and policy is not None else None,
        lowest_saving=lowest,
    )


def weekly(
    policy: Series, baseline: Series, dates: Sequence[date], start: int, every: int
) -> list[WeekPoint]:
    """One point per replayed week: each rule's fill rate over the week (None without
    demand) and the stock value it held on an average day of it."""
    points = []
    periods = sorted(p for p in policy.asked if p >= start)
    for first in range(start, (periods[-1] + 1) if periods else start, every):
        week = [p for p in periods if first <= p < first + every]
        if not week:
            continue
        points.append(
            WeekPoint(
                week_start=dates[first],
                policy_fill_rate=_fill(policy, week),
                baseline_fill_rate=_fill(baseline, week),
                policy_inventory_value=_held(policy, week),
                baseline_inventory_value=_held(baseline, week),
            )
        )
    return points


def _fill(series: Series, week: list[int]) -> float | None:
    asked = sum(series.asked.get(p, 0.0) for p in week)
    served = sum(series.served.get(p, 0.0) for p in week)
    return round(served / asked, 4) if asked > 0 else None


def _held(series: Series, week: list[int]) -> float:
    return round(sum(series.stock_value.get(p, 0.0) for p in week) / len(week), 2)
