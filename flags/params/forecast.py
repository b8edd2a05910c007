"""The reason codes, switches and thresholds of the forecast rules (low confidence,
implausible forecast, dormant item, excess cover, duplicate risk): the `[flags]` part
whose checks are in `flags/rules/forecast.py`.

Models only, apart from the checks, so that the settings (`FlagRules`,
`settings.Settings`) are read without importing a check or what the checks need (pandas,
the forecast's distributions); a rule module imports its codes and `Settings` from here."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from flags.codes import FlagCode
from flags.rule import RuleSettings, Switches

# This module's reason codes: the persisted strings its checks write.
DORMANT_ITEM = FlagCode("DORMANT_ITEM")
DUPLICATE_RISK = FlagCode("DUPLICATE_RISK")
EXCESS_COVER = FlagCode("EXCESS_COVER")
IMPLAUSIBLE_FORECAST = FlagCode("IMPLAUSIBLE_FORECAST")
LOW_CONFIDENCE = FlagCode("LOW_CONFIDENCE")


class Settings(RuleSettings):
    """The switches and thresholds of the forecast rules (`[flags]` keys)."""

    low_confidence: Annotated[bool, Switches(LOW_CONFIDENCE)] = Field(
        default=False,
        description="Flag lines whose forecast is too uncertain to trust unseen. Off by "
        "default: intermittent and lumpy items are uncertain by nature and would fill the "
        "buyer's list; switch on once the thresholds suit the catalogue.",
    )
    low_confidence_cv: float = Field(
        default=1.0,
        gt=0.0,
        description="Flag when the spread of demand over the protection interval "
        "(demand_std / demand_mean) is strictly above this: the stock target rests on a "
        "distribution wider than its own mean.",
    )
    low_confidence_rmsse: float = Field(
        default=1.5,
        gt=0.0,
        description="Flag when the chosen model's backtest RMSSE is strictly above this "
        "(1.0 = no better than the naive forecast); a series without a backtest is not flagged.",
    )
    dormant_item: Annotated[bool, Switches(DORMANT_ITEM)] = Field(
        default=True,
        description="Flag lines of items the forecast classifies as dormant (no recent "
        "demand) that order something anyway: usually stale stock data or a forgotten item.",
    )
    excess_cover: Annotated[bool, Switches(EXCESS_COVER)] = Field(
        default=False,
        description="Flag lines that leave far more stock than the protection interval "
        "needs. Off by default: CONSTRAINT_INFLATION already names the usual cause (pack, "
        "MOQ); switch on to see excess from any cause.",
    )
    excess_cover_intervals: float = Field(
        default=3.0,
        gt=0.0,
        description="Flag when position + order_qty is strictly more than this many times "
        "the expected demand over the protection interval (demand_mean > 0 only).",
    )
    duplicate_risk: Annotated[bool, Switches(DUPLICATE_RISK)] = Field(
        default=True,
        description="Flag lines where an open order is still due (on_order > 0) and "
        "tonight's order_qty is at least that open quantity again (order_qty >= on_order): "
        "a likely re-order of something already coming.",
    )


# Every code of this part, for `FlagRules` (the registry checks each has one rule).
CODES: tuple[FlagCode, ...] = (
    DORMANT_ITEM,
    DUPLICATE_RISK,
    EXCESS_COVER,
    IMPLAUSIBLE_FORECAST,
    LOW_CONFIDENCE,
)
