"""The settings of the rules on orders and on the lines' own figures: the first part of
`FlagRules` (`flags.params`), a module of its own for size.

Defaults come from the flag registry (`flags.registry`); the fields here are
the administrator's keys, their bounds and what they mean.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from flags.registry import default_count, default_switch, default_threshold


class OrderAndLineRules(BaseModel):
    """The first settings of `FlagRules`: how flagged orders are held, and the switches and
    thresholds of the rules on order value, order size and the lines' own figures."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    hold_only_flagged_lines: bool = Field(
        default=True,
        description="Move the flagged lines of a partly flagged order into a review order "
        "('<po_key>-R') so the ordinary lines go to the ERP tonight; off = the whole order "
        "waits for the buyer.",
    )
    large_line_value: bool = Field(
        default=default_switch("large_line_value"), description="Switch for the line value rule."
    )
    line_value_limit: float = Field(
        default=default_threshold("line_value_limit"),
        ge=0.0,
        description="A single line worth strictly more than this (order_qty * unit_cost) is "
        "reviewed: one wrong quantity at this size is a real cash or write-off risk.",
    )
    unusual_order: bool = Field(
        default=default_switch("unusual_order"),
        description="Hold an order that departs from its supplier's own recent orders at "
        "that location (value or line count), not one that is merely large: a big "
        "supplier's routine order is big every week. Without enough history the value is "
        "compared with one review period's forecast demand of the supplier's items at cost.",
    )
    unusual_order_ratio: float = Field(
        default=default_threshold("unusual_order_ratio"),
        gt=1.0,
        description="An order is unusual when its value (or line count) is strictly more "
        "than this many times the trailing median of its supplier's placed orders (or the "
        "forecast's protection interval of spend, when there is no history).",
    )
    unusual_order_min_extra_lines: float = Field(
        default=default_threshold("unusual_order_min_extra_lines"),
        ge=0.0,
        description="A line count only counts as unusual when it is at least this many "
        "lines above the usual: 2 lines where 1 is usual is not worth a person's time.",
    )
    order_history_orders: int = Field(
        default=default_count("order_history_orders"),
        ge=1,
        description="How many of a supplier-location's most recent placed orders make its "
        "usual order (medians of value and line count).",
    )
    order_history_min_orders: int = Field(
        default=default_count("order_history_min_orders"),
        ge=1,
        description="Fewer placed orders than this are no history: the forecast's "
        "protection interval of spend is the yardstick instead.",
    )
    large_order_value: bool = Field(
        default=default_switch("large_order_value"),
        description="Off by default. On: an order above order_value_limit is also held "
        "while its supplier-location has no order history (fewer than "
        "order_history_min_orders placed orders), for a business that wants a person on "
        "every big first order. Absolute limits otherwise decide who approves "
        "([approvals] tiers and authority limits), never whether an ordinary order waits.",
    )
    order_value_limit: float = Field(
        default=default_threshold("order_value_limit"),
        ge=0.0,
        description="The first-order limit of large_order_value (in the base currency).",
    )
    new_item: bool = Field(
        default=default_switch("new_item"),
        description="Flag lines of items the forecast classifies as new: with little history "
        "the quantity is closer to a guess than to a forecast.",
    )
    data_quality: bool = Field(
        default=default_switch("data_quality"),
        description="Flag lines whose item-location had input rows quarantined tonight: the "
        "numbers behind the quantity may be incomplete.",
    )
    data_quality_recent_days: float = Field(
        default=default_threshold("data_quality_recent_days"),
        ge=0.0,
        description="Quarantined demand rows older than this many days before the order "
        "date do not flag the item: the extract repeats the whole history every night, so an "
        "old bad row would flag it every night forever, and the forecast barely rests on it. "
        "Quarantined stock, item and open-order rows, and undated ones, always flag.",
    )
    stockout_risk: bool = Field(
        default=default_switch("stockout_risk"),
        description="Flag lines where stock on hand plus what arrives within the lead time is "
        "less than the expected lead-time demand: the shelf empties before this order "
        "lands, so a buyer may want to expedite.",
    )

    constraint_inflation: bool = Field(
        default=default_switch("constraint_inflation"),
        description="Flag lines where the supplier's terms (pack size, MOQ, a top-up to the "
        "minimum order value) buy far more than the need: that stock may sit for months.",
    )
    constraint_inflation_ratio: float = Field(
        default=default_threshold("constraint_inflation_ratio"),
        gt=1.0,
        description="A line is flagged when order_qty is strictly more than this many times "
        "the quantity the policy needed (raw_qty).",
    )
    constraint_inflation_min_value: float = Field(
        default=default_threshold("constraint_inflation_min_value"),
        ge=0.0,
        description="... and the excess bought for the supplier's terms is worth strictly "
        "more than this at cost: a box of cheap screws 20 times the need is the normal price "
        "of buying screws, not worth a buyer's time.",
    )
