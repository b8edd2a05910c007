"""Review rules about the demand a quantity rests on and the supplier's terms on the order.

DEMAND_ANOMALY: the latest demand lies outside the band the forecast expects for the same
span, so the quantity either builds on a one-off or ignores a change the model has not
caught up with. BELOW_MIN_ORDER_VALUE: an order goes out below the supplier's minimum.
"""

from __future__ import annotations

from typing import Annotated

import numpy as np
import pandas as pd
from pydantic import Field

from flags.codes import FlagCode
from flags.rule import FlagRule, RuleSettings, Switches
from flags.rules.base import (
    line_flags,
    money,
    no_flags,
    order_text,
    qty,
    threshold,
    with_forecast,
)
from forecasting.uncertainty import COUNT_CLASSES, protection_quantile
from purchasing.minimum_order import below_minimum

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


_ANOMALY_INPUTS = ["demand_class", "recent_days", "recent_demand", "recent_expected", "recent_std"]
# A band is a statement about units: a latest demand within half a unit of the band's edge
# is rounding, not news (a constant seller's band has no width at all).
_SLACK = 0.5


def demand_anomaly(lines: pd.DataFrame, summary: pd.DataFrame, rules: Settings) -> pd.DataFrame:
    """Lines whose latest demand lies outside the forecast's central `demand_anomaly_band`.

    The band is read from the distribution the order quantity itself uses (normal for
    smooth and erratic demand, a count distribution for sporadic), over the same span as
    the latest demand, so a lumpy item's ordinary lump is not an anomaly. Items without
    history (new) have no latest demand and are left to NEW_ITEM.
    """
    if not set(_ANOMALY_INPUTS) <= set(summary.columns):
        return no_flags(DEMAND_ANOMALY)
    joined = with_forecast(lines, summary, _ANOMALY_INPUTS)
    tail = (1.0 - threshold(joined, rules, "demand_anomaly_band").to_numpy()) / 2.0
    expected = joined["recent_expected"].to_numpy(dtype=float)
    std = joined["recent_std"].to_numpy(dtype=float)
    count_like = joined["demand_class"].isin(COUNT_CLASSES).to_numpy()
    low = protection_quantile(expected, std, tail, count_like)
    high = protection_quantile(expected, std, 1.0 - tail, count_like)
    recent = joined["recent_demand"].to_numpy(dtype=float)
    known = np.isfinite(recent) & np.isfinite(expected)
    above = known & (recent > high + _SLACK)
    below = known & (recent < low - _SLACK)
    hit = joined.loc[above | below]
    at = np.flatnonzero(above | below)
    low_text = qty(pd.Series(low[at], index=hit.index))
    high_text = qty(pd.Series(high[at], index=hit.index))
    band = pd.Series(
        np.where(
            low_text == high_text,  # no spread: a constant seller, or nothing expected
            "the forecast's " + high_text + " units",
            "the forecast's range of " + low_text + " to " + high_text + " units",
        ),
        index=hit.index,
    )
    span = "the last " + qty(hit["recent_days"]) + " days"
    consequence = pd.Series(
        np.where(
            above[at],
            "; if that was a one-off (a bulk order, a promotion), " + order_text(hit)
            + " may be too large; if demand has really risen, the forecast is still catching up",
            "; if sales have stopped (delisted, out of stock, a counting error), "
            + order_text(hit) + " may sit on the shelf",
        ),
        index=hit.index,
    )  # fmt: skip
    message = (
        "Demand in " + span + " was " + qty(hit["recent_demand"]) + " units, "
        + pd.Series(np.where(above[at], "above", "below"), index=hit.index)
        + " " + band + " for that time" + consequence + "."
    )  # fmt: skip
    return line_flags(hit, DEMAND_ANOMALY, message, hit["line_value"])


def below_min_order_value(orders: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    """Orders proposed below their supplier's minimum order value, once per order.

    The money at stake is the order's value: what does not arrive if the supplier
    refuses it.
    """
    if "min_order_value" not in lines:
        return no_flags(BELOW_MIN_ORDER_VALUE)
    marked = lines.loc[below_minimum(lines) & lines["po_key"].notna()]
    minimum = marked.groupby("po_key")["min_order_value"].max()
    short = orders.loc[orders["po_key"].isin(minimum.index)]
    floor = short["po_key"].map(minimum).astype(float)
    message = (
        "Order value " + money(short["currency"], short["value"]) + " is below "
        + short["supplier_id"].astype(str) + "'s minimum order value of "
        + money(short["currency"], floor) + " (" + money(short["currency"], floor - short["value"])
        + " short): the supplier may refuse it or add a surcharge. Approve it as it is, "
        "add to it, or reject it and wait for a larger order."
    )  # fmt: skip
    order_level = short.assign(sku=None, location=None)
    return line_flags(order_level, BELOW_MIN_ORDER_VALUE, message, short["value"])


# This module's rules, gathered by `flags.registry`.
RULES: tuple[FlagRule[Settings], ...] = (
    FlagRule(DEMAND_ANOMALY, "high",
             lambda i: demand_anomaly(i.ordered, i.forecast_summary, i.rules),
             thresholds=("demand_anomaly_band",)),
    FlagRule(BELOW_MIN_ORDER_VALUE, "medium",
             lambda i: below_min_order_value(i.orders, i.ordered)),
)  # fmt: skip
