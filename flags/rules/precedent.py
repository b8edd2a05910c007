"""UNPRECEDENTED_STOCK: a stock target the item's own history has never come near.

Once most lines go to the ERP unseen, a quantity is a purchase. A target above anything
the item-location ever sold over an interval as long as its protection interval is not
a forecast a buyer would sign without looking: a spike the models mistook for a level,
a wide distribution on a lumpy item, a policy or constraint that piles stock up. Such a
line is held with its target, the precedent and the money above it, whatever its value.
New items keep their own rule (NEW_ITEM): their history is too short to set a precedent.
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
from forecasting.classify import NEW

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


def unprecedented_stock(
    lines: pd.DataFrame, summary: pd.DataFrame, rules: Settings
) -> pd.DataFrame:
    """Lines whose target exceeds `unprecedented_stock_factor` x the precedent (the largest
    demand over any window of the protection interval's length, as sold), on items with
    at least `unprecedented_min_intervals` protection intervals of history.

    The money at stake is what this order buys above the precedent, at cost.
    """
    if not {"target", "lead_time_days", "review_period_days"} <= set(lines.columns):
        return no_flags(UNPRECEDENTED_STOCK)
    joined = with_forecast(
        lines, summary, ["precedent", "history_periods", "protection_periods", "demand_class"]
    )
    precedent = joined["precedent"].astype(float)
    intervals = joined["history_periods"].astype(float) / joined["protection_periods"].where(
        joined["protection_periods"] > 0
    ).astype(float)
    factor = threshold(joined, rules, "unprecedented_stock_factor")
    judged = (intervals >= threshold(joined, rules, "unprecedented_min_intervals")) & (
        joined["demand_class"] != NEW
    )
    over = judged & (precedent > 0) & (joined["target"] > factor * precedent)
    hit = joined.loc[over.fillna(False)]
    above = np.minimum(hit["order_qty"], hit["target"] - precedent.loc[hit.index])
    at_stake = above * hit["unit_cost"]
    days = hit["lead_time_days"] + hit["review_period_days"]
    message = (
        "Unprecedented stock: the target of " + qty(hit["target"]) + " units is "
        + qty(hit["target"] / precedent.loc[hit.index]) + " times the most this item ever "
        "sold here in any " + qty(days) + " days (" + qty(precedent.loc[hit.index])
        + " units; limit " + qty(factor.loc[hit.index]) + "x); " + order_text(hit) + " buys "
        + qty(above) + " units (" + money(hit["currency"], at_stake) + ") above that precedent."
    )  # fmt: skip
    return line_flags(hit, UNPRECEDENTED_STOCK, message, at_stake)


# This module's rules, gathered by `flags.registry`.
RULES: tuple[FlagRule[Settings], ...] = (
    FlagRule(UNPRECEDENTED_STOCK, "high",
             lambda i: unprecedented_stock(i.ordered, i.forecast_summary, i.rules),
             thresholds=("unprecedented_stock_factor", "unprecedented_min_intervals")),
)  # fmt: skip
