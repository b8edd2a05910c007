"""The reason codes, switches and thresholds of the order-level rules (an unusual order, a
large first order): the `[flags]` part whose checks are in `flags/rules/orders.py`.

Models only, apart from the checks, so that the settings (`FlagRules`,
`settings.Settings`) are read without importing a check or what the checks need (pandas,
the forecast's distributions); a rule module imports its codes and `Settings` from here."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from flags.codes import FlagCode
from flags.rule import RuleSettings, Switches

# This module's reason codes: the persisted strings its checks write.
LARGE_ORDER_VALUE = FlagCode("LARGE_ORDER_VALUE")
UNUSUAL_ORDER = FlagCode("UNUSUAL_ORDER")


class Settings(RuleSettings):
    """The switches and thresholds of the order-level rules (`[flags]` keys)."""

    unusual_order: Annotated[bool, Switches(UNUSUAL_ORDER)] = Field(
        default=True,
        description="Hold an order that departs from its supplier's own recent orders at "
        "that location (value or line count), not one that is merely large: a big "
        "supplier's routine order is big every week. Without enough history the value is "
        "compared with one review period's forecast demand of the supplier's items at cost.",
    )
    unusual_order_ratio: float = Field(
        default=1.75,
        gt=1.0,
        description="An order is unusual when its value (or line count) is strictly more "
        "than this many times the trailing median of its supplier's placed orders (or the "
        "forecast's protection interval of spend, when there is no history).",
    )
    unusual_order_min_extra_lines: float = Field(
        default=5.0,
        ge=0.0,
        description="A line count only counts as unusual when it is at least this many "
        "lines above the usual: 2 lines where 1 is usual is not worth a person's time.",
    )
    # Shared with LARGE_ORDER_VALUE: what a supplier-location's order history is.
    order_history_orders: int = Field(
        default=8,
        ge=1,
        description="How many of a supplier-location's most recent placed orders make its "
        "usual order (medians of value and line count).",
    )
    order_history_min_orders: int = Field(
        default=3,
        ge=1,
        description="Fewer placed orders than this are no history: the forecast's "
        "protection interval of spend is the yardstick instead.",
    )
    large_order_value: Annotated[bool, Switches(LARGE_ORDER_VALUE)] = Field(
        default=False,
        description="Off by default. On: an order above order_value_limit is also held "
        "while its supplier-location has no order history (fewer than "
        "order_history_min_orders placed orders), for a business that wants a person on "
        "every big first order. Absolute limits otherwise decide who approves "
        "([approvals] tiers and authority limits), never whether an ordinary order waits.",
    )
    order_value_limit: float = Field(
        default=10000.0,
        ge=0.0,
        description="The first-order limit of large_order_value (in the base currency).",
    )


# Every code of this part, for `FlagRules` (the registry checks each has one rule).
CODES: tuple[FlagCode, ...] = (
    LARGE_ORDER_VALUE,
    UNUSUAL_ORDER,
)
