"""Settings of the data-quality gate, set by the administrator in the config file."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ValidationRules(BaseModel):
    """How strict the gate is, and how locale-dependent cells are read.

    Policy defaults (service level, review period) are deliberately not here: a missing
    value stays NaN in the validated items and purchasing fills it from its own policy,
    so a change of policy never needs the data re-validated.

    The `max_*` bounds are where every number enters: a value above one is quarantined
    (OUT_OF_RANGE or ABSURD_QUANTITY) instead of reaching the arithmetic, so one 1e308 in
    one cell can never overflow a forecast, a NUMERIC column or the ERP and stop the night.
    Together they keep every product the planner forms (quantity x cost, daily demand x
    days) far inside what the database columns hold (docs/data-quality.md "Bounds").
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    decimal_comma: bool = Field(
        default=False,
        description=(
            "Numbers use a decimal comma (1.234,5). Off: '1,234' is a thousands separator "
            "and '1,5' is not a number, because guessing would silently scale quantities."
        ),
    )
    max_quantity: float = Field(
        default=1_000_000.0,
        gt=0,
        le=1e9,
        description=(
            "Larger demand, stock or open-order quantities, pack sizes, MOQs and maximum "
            "order quantities are quarantined as absurd."
        ),
    )
    max_unit_cost: float = Field(
        default=1_000_000.0,
        gt=0,
        le=1e9,
        description="A larger unit cost is quarantined (OUT_OF_RANGE).",
    )
    max_order_value: float = Field(
        default=1e9,
        gt=0,
        le=1e11,
        description="A larger supplier minimum order value is quarantined (OUT_OF_RANGE).",
    )
    max_lead_time_days: float = Field(
        default=730.0,
        gt=0,
        le=3650,
        description="Longer lead times, lead-time spreads and review periods are quarantined.",
    )
    max_quarantine_share: float = Field(
        default=0.2,
        ge=0,
        le=1,
        description="A file with a larger quarantined share stops the run before ordering.",
    )
    max_stock_age_days: float = Field(
        default=7.0,
        ge=0,
        le=3650,
        description=(
            "A stock row whose as_of is older than this many days before the run is "
            "quarantined as STALE_STOCK: ordering from last week's shelf buys the wrong amount."
        ),
    )
    max_history_years: int = Field(
        default=10,
        ge=1,
        le=100,
        description=(
            "A demand or stock-history row dated more than this many years before the run "
            "is quarantined as ANCIENT_DATE: one 1900-01-01 row would stretch its item's "
            "history by a century of zero demand and change its model and its order."
        ),
    )
    max_missing_stock_share: float = Field(
        default=0.2,
        ge=0,
        le=1,
        description=(
            "When more active items than this share have no usable stock row the run stops "
            "before ordering; below it, each such item's lines are held (NO_STOCK_ROW)."
        ),
    )
    frequency: Literal["D", "W", "M"] | None = Field(
        default=None,
        description=(
            "The forecast's frequency, copied from forecast.frequency unless set here: demand "
            "dates coarser than it (monthly dates forecast daily) stop the run. None: not checked."
        ),
    )
    max_demand_age_periods: int = Field(
        default=14,
        ge=0,
        description=(
            "The run stops when the latest demand is more than this many periods (of the "
            "frequency) before the run date: a stale extract would make every item dormant."
        ),
    )
