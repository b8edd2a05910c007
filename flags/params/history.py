"""The reason codes, switches and thresholds of the history rules (quantity and price
against earlier orders, the suppliers whose every order is reviewed): the `[flags]` part
whose checks are in `flags/rules/history.py`.

Models only, apart from the checks, so that the settings (`FlagRules`,
`settings.Settings`) are read without importing a check or what the checks need (pandas,
the forecast's distributions); a rule module imports its codes and `Settings` from here."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from flags.codes import FlagCode
from flags.rule import RuleSettings, Switches

# This module's reason codes: the persisted strings its checks write.
ALWAYS_REVIEW = FlagCode("ALWAYS_REVIEW")
PRICE_CHANGE = FlagCode("PRICE_CHANGE")
QUANTITY_VS_HISTORY = FlagCode("QUANTITY_VS_HISTORY")


class Settings(RuleSettings):
    """The switches and thresholds of the history rules (`[flags]` keys)."""

    quantity_vs_history: Annotated[bool, Switches(QUANTITY_VS_HISTORY)] = Field(
        default=True,
        description="Flag lines far from the item-location's recent orders, and first "
        "orders ever once any order history exists; silent without history.",
    )
    quantity_history_ratio: float = Field(
        default=3.0,
        gt=1.0,
        description="Flag when order_qty is strictly more than this many times the average "
        "quantity of the item-location's recent orders.",
    )
    history_orders: int = Field(
        default=5,
        ge=1,
        description="How many of the item-location's most recent earlier orders make its "
        "history for the quantity and price rules.",
    )
    price_change: Annotated[bool, Switches(PRICE_CHANGE)] = Field(
        default=True,
        description="Flag lines whose unit cost differs from the last order of the same "
        "item-location from the same supplier: a price list error or an unnoticed increase.",
    )
    price_change_share: float = Field(
        default=0.10,
        gt=0.0,
        description="Flag when |unit_cost - last unit_cost| / last unit_cost is strictly "
        "above this share (0.10 = 10%).",
    )
    always_review_suppliers: Annotated[list[str], Switches(ALWAYS_REVIEW)] = Field(
        default_factory=list,
        description="Supplier ids whose every order waits for a buyer (flag ALWAYS_REVIEW), "
        "e.g. a new supplier or one under dispute; nothing is auto-approved for them.",
    )


# Every code of this part, for `FlagRules` (the registry checks each has one rule).
CODES: tuple[FlagCode, ...] = (
    ALWAYS_REVIEW,
    PRICE_CHANGE,
    QUANTITY_VS_HISTORY,
)
