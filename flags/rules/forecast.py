"""Review rules that judge a line against its forecast and its stock: is the quantity trustworthy?

LOW_CONFIDENCE, IMPLAUSIBLE_FORECAST, DORMANT_ITEM, EXCESS_COVER and
DUPLICATE_RISK; each takes the ordered
lines (with the order's currency) and returns rows of the flags frame, vectorised.
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
    units,
    with_forecast,
)

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


def low_confidence(lines: pd.DataFrame, summary: pd.DataFrame, rules: Settings) -> pd.DataFrame:
    """Lines whose forecast is wide (std / mean > limit) or backtested poorly (RMSSE > limit).

    A missing demand_std or backtest_rmsse (NaN) never fires its half of the rule.
    """
    joined = with_forecast(lines, summary, ["demand_mean", "demand_std", "backtest_rmsse"])
    mean = joined["demand_mean"].where(joined["demand_mean"] > 0)
    cv = (joined["demand_std"] / mean).astype(float)
    rmsse = joined["backtest_rmsse"].astype(float)
    wide = cv > threshold(joined, rules, "low_confidence_cv")
    poor = rmsse > threshold(joined, rules, "low_confidence_rmsse")
    hit = joined.loc[wide | poor]
    spread_text = (
        "the demand over the protection interval varies by "
        + qty(cv.loc[hit.index].fillna(0) * 100) + "% of its mean"
    )  # fmt: skip
    error_text = (
        "the backtest error is " + qty(rmsse.loc[hit.index].fillna(0))
        + " times that of a naive forecast"
    )  # fmt: skip
    is_wide, is_poor = wide.loc[hit.index], poor.loc[hit.index]
    reason = pd.Series(
        np.select(
            [is_wide & is_poor, is_wide],
            [spread_text + " and " + error_text, spread_text],
            default=error_text,
        ),
        index=hit.index,
    )
    message = (
        "Low forecast confidence: " + reason + "; " + order_text(hit)
        + " could be far too much or too little."
    )  # fmt: skip
    return line_flags(hit, LOW_CONFIDENCE, message, hit["line_value"])


def implausible_forecast(lines: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """Lines whose model's quantity the forecast rejected as impossible
    (`forecasting.plausibility`): held for a person whatever their value.

    The quantity on the line already comes from the fallback; the sentence says what the
    model had proposed and why it was rejected.
    """
    joined = with_forecast(lines, summary, ["implausible"])
    reason = joined["implausible"].where(joined["implausible"].notna())
    hit = joined.loc[reason.notna()]
    message = (
        "Implausible forecast: " + reason.loc[hit.index].astype(str) + "; "
        + order_text(hit) + " was computed from the fallback. Check the item's history "
        "before approving."
    )  # fmt: skip
    return line_flags(hit, IMPLAUSIBLE_FORECAST, message, hit["line_value"])


def dormant_item(lines: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """Lines of items the forecast calls dormant (no recent demand) that still order something."""
    joined = with_forecast(lines, summary, ["demand_class"])
    hit = joined.loc[(joined["demand_class"] == "dormant") & (joined["order_qty"] > 0)]
    message = (
        "Dormant item: no recent sales, yet " + order_text(hit)
        + " is proposed; check the stock count and whether the item is still sold."
    )  # fmt: skip
    return line_flags(hit, DORMANT_ITEM, message, hit["line_value"])


def excess_cover(lines: pd.DataFrame, rules: Settings) -> pd.DataFrame:
    """Lines where position + order_qty > N x the expected protection-interval demand.

    Only lines with demand_mean > 0: zero expected demand is DORMANT_ITEM's business.
    The money at stake is the stock beyond N intervals that this order buys, at cost.
    """
    if not {"position", "demand_mean"} <= set(lines.columns):
        return no_flags(EXCESS_COVER)
    intervals = threshold(lines, rules, "excess_cover_intervals")
    after = lines["position"] + lines["order_qty"]
    cover_limit = intervals * lines["demand_mean"]
    over = (lines["demand_mean"] > 0) & (after > cover_limit)
    hit = lines.loc[over]
    excess = np.minimum(hit["order_qty"], after.loc[over] - cover_limit.loc[over])
    at_stake = excess * hit["unit_cost"]
    message = (
        "After " + order_text(hit) + " the stock position is " + qty(after.loc[over])
        + " units, " + qty(after.loc[over] / hit["demand_mean"]) + " times the expected "
        + qty(hit["demand_mean"]) + " units of demand until the next order arrives (limit "
        + qty(intervals.loc[over]) + "x); " + qty(excess) + " units ("
        + money(hit["currency"], at_stake) + ") may sit on the shelf."
    )  # fmt: skip
    return line_flags(hit, EXCESS_COVER, message, at_stake)


def duplicate_risk(lines: pd.DataFrame) -> pd.DataFrame:
    """Lines with an open order still due (on_order > 0) and order_qty >= on_order.

    Ordering at least as much again as is already on its way usually means the open order
    was missed (not in the extract, wrong location, booked twice). The money at stake is
    the open quantity at cost: what would be bought twice.
    """
    if "on_order" not in lines:
        return no_flags(DUPLICATE_RISK)
    hit = lines.loc[(lines["on_order"] > 0) & (lines["order_qty"] >= lines["on_order"])]
    at_stake = hit["on_order"] * hit["unit_cost"]
    message = (
        "Possible duplicate: " + units(hit["on_order"])
        + pd.Series(np.where(qty(hit["on_order"]) == "1", " is", " are"), index=hit.index)
        + " already on order and due, "
        "and " + order_text(hit) + " asks for at least as much again; "
        + money(hit["currency"], at_stake) + " may be bought twice."
    )  # fmt: skip
    return line_flags(hit, DUPLICATE_RISK, message, at_stake)


# This module's rules, gathered by `flags.registry`.
RULES: tuple[FlagRule[Settings], ...] = (
    FlagRule(IMPLAUSIBLE_FORECAST, "high",
             lambda i: implausible_forecast(i.ordered, i.forecast_summary)),
    FlagRule(LOW_CONFIDENCE, "medium",
             lambda i: low_confidence(i.ordered, i.forecast_summary, i.rules),
             thresholds=("low_confidence_cv", "low_confidence_rmsse")),
    FlagRule(DORMANT_ITEM, "high", lambda i: dormant_item(i.ordered, i.forecast_summary)),
    FlagRule(EXCESS_COVER, "medium", lambda i: excess_cover(i.ordered, i.rules),
             thresholds=("excess_cover_intervals",)),
    FlagRule(DUPLICATE_RISK, "high", lambda i: duplicate_risk(i.ordered)),
)  # fmt: skip
