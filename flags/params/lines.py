"""The reason codes, switches and thresholds of the line rules (large value, new item, data
quality, stock-out risk, the supplier's terms buying far more than the need): the
`[flags]` part whose checks are in `flags/rules/lines.py`.

Models only, apart from the checks, so that the settings (`FlagRules`,
`settings.Settings`) are read without importing a check or what the checks need (pandas,
the forecast's distributions); a rule module imports its codes and `Settings` from here."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from flags.codes import FlagCode
from flags.rule import RuleSettings, Switches

# This module's reason codes: the persisted strings its checks write.
CONSTRAINT_INFLATION = FlagCode("CONSTRAINT_INFLATION")
DATA_QUALITY = FlagCode("DATA_QUALITY")
LARGE_LINE_VALUE = FlagCode("LARGE_LINE_VALUE")
NEW_ITEM = FlagCode("NEW_ITEM")
STOCKOUT_RISK = FlagCode("STOCKOUT_RISK")


class Settings(RuleSettings):
    """The switches and thresholds of the line rules (`[flags]` keys)."""

    large_line_value: Annotated[bool, Switches(LARGE_LINE_VALUE)] = Field(
        default=True, description="Switch for the line value rule."
    )
    line_value_limit: float = Field(
        default=2500.0,
        ge=0.0,
        description="A single line worth strictly more than this (order_qty * unit_cost) is "
        "reviewed: one wrong quantity at this size is a real cash or write-off risk.",
    )
    new_item: Annotated[bool, Switches(NEW_ITEM)] = Field(
        default=True,
        description="Flag lines of items the forecast classifies as new: with little history "
        "the quantity is closer to a guess than to a forecast.",
    )
    data_quality: Annotated[bool, Switches(DATA_QUALITY)] = Field(
        default=True,
        description="Flag lines whose item-location had input rows quarantined tonight: the "
        "numbers behind the quantity may be incomplete.",
    )
    data_quality_recent_days: float = Field(
        default=28.0,
        ge=0.0,
        description="Quarantined demand rows older than this many days before the order "
        "date do not flag the item: the extract repeats the whole history every night, so an "
        "old bad row would flag it every night forever, and the forecast barely rests on it. "
        "Quarantined stock, item and open-order rows, and undated ones, always flag.",
    )
    stockout_risk: Annotated[bool, Switches(STOCKOUT_RISK)] = Field(
        default=True,
        description="Flag lines where stock on hand plus what arrives within the lead time is "
        "less than the expected lead-time demand: the shelf empties before this order "
        "lands, so a buyer may want to expedite.",
    )
    constraint_inflation: Annotated[bool, Switches(CONSTRAINT_INFLATION)] = Field(
        default=True,
        description="Flag lines where the supplier's terms (pack size, MOQ, a top-up to the "
        "minimum order value) buy far more than the need: that stock may sit for months.",
    )
    constraint_inflation_ratio: float = Field(
        default=5.0,
        gt=1.0,
        description="A line is flagged when order_qty is strictly more than this many times "
        "the quantity the policy needed (raw_qty).",
    )
    constraint_inflation_min_value: float = Field(
        default=500.0,
        ge=0.0,
        description="... and the excess bought for the supplier's terms is worth strictly "
        "more than this at cost: a box of cheap screws 20 times the need is the normal price "
        "of buying screws, not worth a buyer's time.",
    )


# Every code of this part, for `FlagRules` (the registry checks each has one rule).
CODES: tuple[FlagCode, ...] = (
    CONSTRAINT_INFLATION,
    DATA_QUALITY,
    LARGE_LINE_VALUE,
    NEW_ITEM,
    STOCKOUT_RISK,
)
