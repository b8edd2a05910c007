"""The reason codes, switches and thresholds of the demand rules (a demand anomaly, an
order below the supplier's minimum): the `[flags]` part whose checks are in
`flags/rules/demand.py`.

Models only, apart from the checks, so that the settings (`FlagRules`,
`settings.Settings`) are read without importing a check or what the checks need (pandas,
the forecast's distributions); a rule module imports its codes and `Settings` from here."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from flags.codes import FlagCode
from flags.rule import RuleSettings, Switches

# This module's reason codes: the persisted strings its checks write.
BELOW_MIN_ORDER_VALUE = FlagCode("BELOW_MIN_ORDER_VALUE")
DEMAND_ANOMALY = FlagCode("DEMAND_ANOMALY")


class Settings(RuleSettings):
    """The switches and thresholds of the demand rules (`[flags]` keys)."""

    demand_anomaly: Annotated[bool, Switches(DEMAND_ANOMALY)] = Field(
        default=True,
        description="Flag lines whose latest demand (the last week for daily data, else the "
        "last period) lies outside the forecast's band: a one-off bulk sale or a sudden "
        "collapse the quantity is built on, or a change the model has not caught up with.",
    )
    demand_anomaly_band: float = Field(
        default=0.98,
        gt=0.0,
        lt=1.0,
        description="Central probability of the band: 0.98 flags latest demand below the "
        "forecast's 1% quantile or above its 99% quantile for the same number of periods.",
    )
    below_min_order_value: Annotated[bool, Switches(BELOW_MIN_ORDER_VALUE)] = Field(
        default=True,
        description="Flag orders proposed below the supplier's minimum order value "
        "(min_order_action 'review', or a top-up that could not reach it): the supplier "
        "may refuse the order or add a surcharge.",
    )


# Every code of this part, for `FlagRules` (the registry checks each has one rule).
CODES: tuple[FlagCode, ...] = (
    BELOW_MIN_ORDER_VALUE,
    DEMAND_ANOMALY,
)
