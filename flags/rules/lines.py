"""Line rules on the order lines themselves: large value, new item, data quality,
stock-out risk and the supplier's terms buying far more than the need."""

from __future__ import annotations

from typing import Annotated

import numpy as np
import pandas as pd
from pydantic import Field

from flags.codes import FlagCode
from flags.rule import FlagRule, RuleSettings, Switches
from flags.rules.base import line_flags, money, no_flags, order_text, qty, threshold, units
from purchasing.position import KEYS

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


def large_line_value(lines: pd.DataFrame, rules: Settings) -> pd.DataFrame:
    """Lines worth strictly more than the line limit (after supplier/category overrides)."""
    limit = threshold(lines, rules, "line_value_limit")
    hit = lines.loc[lines["line_value"] > limit]
    message = (
        "Line value " + money(hit["currency"], hit["line_value"])
        + " is above the review limit of " + money(hit["currency"], limit.loc[hit.index]) + "."
    )  # fmt: skip
    return line_flags(hit, LARGE_LINE_VALUE, message, hit["line_value"])


def new_item(lines: pd.DataFrame, forecast_summary: pd.DataFrame) -> pd.DataFrame:
    """Lines of items the forecast calls new: the quantity rests on little or no history."""
    columns = [c for c in [*KEYS, "demand_class", "history_periods"] if c in forecast_summary]
    joined = lines.merge(forecast_summary[columns], on=KEYS, how="left")
    joined.index = lines.index
    hit = joined.loc[joined["demand_class"] == "new"]
    history = hit.get("history_periods", pd.Series(np.nan, index=hit.index))
    periods = history.fillna(0).astype(int)
    history_text = pd.Series(
        np.select(
            [history.isna(), periods == 0, periods == 1],
            ["little sales history", "no sales history yet", "only 1 period of sales history"],
            "only " + periods.astype(str) + " periods of sales history",
        ),
        index=hit.index,
    )
    message = (
        "New item with " + history_text + ": the forecast behind " + order_text(hit)
        + " is closer to a guess than a forecast; please check the quantity."
    )  # fmt: skip
    return line_flags(hit, NEW_ITEM, message, hit["line_value"])


def data_quality(
    lines: pd.DataFrame, quarantined_items: pd.DataFrame, recent_days: float = 28.0
) -> pd.DataFrame:
    """Lines whose item-location had input rows quarantined; the message names the reasons.

    A quarantined row with no location (it could not be read) taints every location of
    its sku: we cannot tell which one it belonged to. Items whose only quarantined rows
    are demand older than `recent_days` before the order date are left alone
    (`newest_demand_date`, see `dataquality.dispositions.quarantined_items`).
    """
    if "newest_demand_date" in quarantined_items and len(lines):
        newest = pd.to_datetime(quarantined_items["newest_demand_date"])
        order_day = pd.to_datetime(lines["order_date"]).min() if "order_date" in lines else None
        if order_day is not None and pd.notna(order_day):
            stale = newest < order_day - pd.Timedelta(days=recent_days)
            quarantined_items = quarantined_items.loc[~stale.to_numpy(dtype=bool)]
    q = quarantined_items[[*KEYS, "reasons"]].astype(object)
    q["reasons"] = q["reasons"].fillna("").astype(str).str.split(";")
    q = q.explode("reasons")
    q["reasons"] = q["reasons"].astype(str).str.strip().replace("", "UNSPECIFIED")
    no_location = q["location"].isna() | (q["location"].astype(str).str.strip() == "")
    keyed = lines[KEYS].assign(_row=lines.index)
    matches = pd.concat(
        [
            keyed.merge(q.loc[~no_location], on=KEYS),
            keyed.merge(q.loc[no_location, ["sku", "reasons"]], on="sku"),
        ]
    ).drop_duplicates(["_row", "reasons"])
    # One join per flagged line (not per catalogue line), to name every reason once.
    reasons = matches.sort_values("reasons").groupby("_row")["reasons"].agg(", ".join)
    hit = lines.loc[reasons.index]
    message = (
        "Input rows for this item were quarantined tonight (" + reasons
        + "); check the stock and demand behind " + order_text(hit) + "."
    )  # fmt: skip
    return line_flags(hit, DATA_QUALITY, message, hit["line_value"])


def stockout_risk(lines: pd.DataFrame) -> pd.DataFrame:
    """Lines where stock runs out before this order can arrive, even though we order.

    Available = on hand - backorders + open orders due within the lead time; at risk when
    that is below the expected demand over the lead time. The money at stake is the cost
    value of the demand not covered (a floor on the lost sales).
    """
    available = lines["on_hand"] - lines["backorders"] + lines["arriving_within_lead_time"]
    at_risk = available < lines["lead_time_demand"]
    hit, available = lines.loc[at_risk], available.loc[at_risk]
    short = hit["lead_time_demand"] - available
    at_stake = short * hit["unit_cost"]
    # A negative availability is a backorder: customers already wait for those units.
    have = pd.Series(
        np.select(
            [available < -0.05, available < 0.05],
            ["none available and a backorder of " + units(-available), "none available"],
            units(available) + " available",
        ),
        index=hit.index,
    )
    gap = pd.Series(
        np.where(short < 0.5, "less than 1 unit", "about " + units(short)), index=hit.index
    )
    message = (
        "Stock may run out before this order arrives: " + have
        + " within the " + qty(hit["lead_time_days"])
        + "-day lead time against an expected demand of " + qty(hit["lead_time_demand"])
        + ", " + gap + " (" + money(hit["currency"], at_stake)
        + ") short; consider expediting."
    )  # fmt: skip
    return line_flags(hit, STOCKOUT_RISK, message, at_stake)


def constraint_inflation(lines: pd.DataFrame, rules: Settings) -> pd.DataFrame:
    """Lines where pack, MOQ or a minimum-order top-up buy more than the ratio x the need,
    and the excess is worth more than `constraint_inflation_min_value`.

    The money at stake is the excess at cost: stock bought for the supplier's terms, not
    for demand, which a buyer may negotiate away or decide not to carry.
    """
    if "constraint_inflation" not in lines:
        return no_flags(CONSTRAINT_INFLATION)
    excess_value = (lines["order_qty"] - lines["raw_qty"]) * lines["unit_cost"]
    hit = lines.loc[
        (lines["constraint_inflation"] > threshold(lines, rules, "constraint_inflation_ratio"))
        & (excess_value > threshold(lines, rules, "constraint_inflation_min_value"))
    ]
    excess = hit["order_qty"] - hit["raw_qty"]
    at_stake = excess_value.loc[hit.index]
    message = (
        "The supplier's terms (" + hit["constraints"].astype(str).str.replace(";", ", ")
        + ") make " + order_text(hit) + " " + qty(hit["constraint_inflation"])
        + " times the " + qty(hit["raw_qty"]) + " units needed; the excess of "
        + qty(excess) + " units costs " + money(hit["currency"], at_stake) + "."
    )  # fmt: skip
    return line_flags(hit, CONSTRAINT_INFLATION, message, at_stake)


# This module's rules, gathered by `flags.registry`.
RULES: tuple[FlagRule[Settings], ...] = (
    FlagRule(LARGE_LINE_VALUE, "medium", lambda i: large_line_value(i.ordered, i.rules),
             thresholds=("line_value_limit",)),
    FlagRule(NEW_ITEM, "medium", lambda i: new_item(i.ordered, i.forecast_summary)),
    FlagRule(DATA_QUALITY, "high",
             lambda i: data_quality(i.ordered, i.quarantined_items,
                                    i.rules.data_quality_recent_days),
             thresholds=("data_quality_recent_days",)),
    FlagRule(STOCKOUT_RISK, "high", lambda i: stockout_risk(i.ordered)),
    FlagRule(CONSTRAINT_INFLATION, "medium",
             lambda i: constraint_inflation(i.ordered, i.rules),
             thresholds=("constraint_inflation_ratio", "constraint_inflation_min_value")),
)  # fmt: skip
