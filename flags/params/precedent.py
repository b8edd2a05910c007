"""The reason codes, switches and thresholds of the precedent rule (a stock target the
item's history never came near): the `[flags]` part whose checks are in
`flags/rules/precedent.py`.

Models only, apart from the checks, so that the settings (`FlagRules`,
`settings.Settings`) are read without importing a check or what the checks need (pandas,
the forecast's distributions); a rule module imports its codes and `Settings` from here."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from flags.codes import FlagCode
from flags.rule import RuleSettings, Switches

# This module's reason codes: the persisted strings its checks write.
UNPRECEDENTED_STOCK = FlagCode("UNPRECEDENTED_STOCK")


class Settings(RuleSettings):
    """The switch and thresholds of the precedent rule (`[flags]` keys)."""

    unprecedented_stock: Annotated[bool, Switches(UNPRECEDENTED_STOCK)] = Field(
        default=True,
        description="Hold lines whose stock target is far above anything the item-location "
        "ever sold over a window as long as its protection interval (lead time + review): "
        "stock without precedent is an exception for a buyer, not a purchase. New items "
        "keep their own rule.",
    )
    unprecedented_stock_factor: float = Field(
        default=1.5,
        gt=1.0,
        description="Hold when the target is strictly more than this many times the "
        "precedent (the largest demand, as sold, over any window of that length).",
    )
    unprecedented_min_intervals: float = Field(
        default=4.0,
        ge=1.0,
        description="Judge only items with at least this many protection intervals of "
        "history: a shorter history has not had the chance to set a precedent.",
    )


# Every code of this part, for `FlagRules` (the registry checks each has one rule).
CODES: tuple[FlagCode, ...] = (UNPRECEDENTED_STOCK,)
