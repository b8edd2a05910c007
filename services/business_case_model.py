"""The business case as values: per replayed night, the whole stretch, and the replay
of the policy against the spreadsheet. Written out as `business-case --json` at the edge.

Amounts are floats in the base currency (`currency.base`), rounded to the cent, and
formatted for a person by `domain.money` only where they are written. A figure that
cannot be known is None (JSON null), never a zero: a finance person must be able to
tell "nothing" from "not known".
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel


class NightFigures(BaseModel):
    """One replayed night: the orders the nightly code would have proposed and how they
    would have gone (auto-approved, or one decision per order held for a person).

    orders = auto_approved_orders + decisions; lines = auto_approved_lines +
    lines_to_people; value = auto_approved_value + value_to_people (to the cent)."""

    night: date
    orders: int
    lines: int
    value: float
    auto_approved_orders: int
    auto_approved_lines: int
    auto_approved_value: float
    decisions: int
    lines_to_people: int
    value_to_people: float
    buyer_minutes: float = 0.0
    # Per reason code: held orders carrying a flag of that code that holds (an order
    # may carry several), so the decisions can be traced to the rules behind them.
    held_by_reason: dict[str, int] = {}


class ServiceFigures(BaseModel):
    """One rule replayed over the stretch: served share of demand, item-location periods
    with unmet demand, and the stock value held on an average day."""

    fill_rate: float | None
    stockout_periods: int
    avg_inventory_value: float
    demand_units: float


class WeekPoint(BaseModel):
    """One replayed week (night to night) of both rules, for the chart."""

    week_start: date
    policy_fill_rate: float | None
    baseline_fill_rate: float | None
    policy_inventory_value: float
    baseline_inventory_value: float


class EqualFill(BaseModel):
    """The inventory saving at equal fill (docs/business-case.md): at the fill rate the
    spreadsheet reaches at its 95% setting, the share of its average inventory value the
    policy does without (None when the policy's curve never reaches that fill rate)."""

    baseline_fill_rate: float | None
    baseline_inventory_value: float | None
    policy_inventory_value: float | None
    saving: float | None
    saving_amount: float | None
    lowest_saving: float | None  # over every fill rate the spreadsheet's curve reaches


class BusinessCase(BaseModel):
    """Everything the one-page report shows."""

    as_of: date
    currency: str
    first_night: date | None
    last_night: date | None
    weeks: int
    estimates: str
    item_locations: int
    minutes_per_decision: float
    nights: list[NightFigures]
    totals: NightFigures | None  # summed over the nights (night = the last one)
    auto_approved_line_share: float | None
    auto_approved_value_share: float | None
    buyer_hours: float
    buyer_hours_checking_every_line: float
    policy: ServiceFigures
    baseline: ServiceFigures
    inventory_difference: float  # baseline minus policy average inventory value
    equal_fill: EqualFill
    weekly: list[WeekPoint]
    seconds: float
