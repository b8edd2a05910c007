"""Review rules that compare a line with earlier orders, and the per-supplier "always review".

History is a frame of earlier order lines (HISTORY_COLUMNS), newest first or not; an
empty history (first run, no database) leaves QUANTITY_VS_HISTORY and PRICE_CHANGE silent.
"""

from __future__ import annotations

from typing import Annotated

import numpy as np
import pandas as pd
from pydantic import Field

from flags.codes import FlagCode
from flags.rule import FlagRule, RuleSettings, Switches
from flags.rules.base import line_flags, money, order_text, qty, threshold
from purchasing.position import KEYS

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


HISTORY_COLUMNS = ["sku", "location", "supplier_id", "quantity", "unit_cost", "order_date"]


def empty_history() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in HISTORY_COLUMNS})


def _recent(history: pd.DataFrame, per_item: int) -> pd.DataFrame:
    """The last `per_item` lines per item-location, newest first."""
    ordered = history.sort_values("order_date", ascending=False, kind="stable")
    return ordered.groupby(KEYS, sort=False).head(per_item)


def quantity_vs_history(
    lines: pd.DataFrame, history: pd.DataFrame, rules: Settings
) -> pd.DataFrame:
    """Lines ordering > ratio x the average of recent quantities, or a first order ever.

    A first order ever is only called so when the history holds some item: without any
    history (first run) every line would be "first" and the rule says nothing. Money at
    stake: the quantity above the usual average at cost, or the whole line for a first.
    """
    if history.empty:
        return line_flags(lines.iloc[:0], QUANTITY_VS_HISTORY, pd.Series(), pd.Series())
    recent = _recent(history, rules.history_orders)
    stats = recent.groupby(KEYS)["quantity"].agg(usual="mean", orders="size").reset_index()
    joined = lines.merge(stats, on=KEYS, how="left")
    joined.index = lines.index
    ratio = threshold(joined, rules, "quantity_history_ratio")
    first = joined["usual"].isna()
    large = joined["order_qty"] > ratio * joined["usual"]
    hit = joined.loc[first | large]
    first_hit = first.loc[hit.index]
    above = (hit["order_qty"] - hit["usual"]).fillna(hit["order_qty"])
    at_stake = pd.Series(
        np.where(first_hit, hit["line_value"], above * hit["unit_cost"]), index=hit.index
    )
    usual_text = (
        qty(hit["order_qty"] / hit["usual"].where(~first_hit, 1.0)) + " times the average of "
        + qty(hit["usual"].fillna(0)) + " units over the last "
        + hit["orders"].fillna(0).astype(int).astype(str) + " orders"
    )  # fmt: skip
    message = pd.Series(
        np.where(
            first_hit,
            "First order ever for this item at this location: "
            + order_text(hit)
            + " has no earlier order to compare with.",
            "Unusual quantity: " + order_text(hit) + " is " + usual_text + ".",
        ),
        index=hit.index,
    )
    return line_flags(hit, QUANTITY_VS_HISTORY, message, at_stake)


def price_change(lines: pd.DataFrame, history: pd.DataFrame, rules: Settings) -> pd.DataFrame:
    """Lines whose unit cost moved > share against the last order from the same supplier.

    Money at stake: |difference| x order_qty, what the change costs (or saves) on this line.
    """
    if history.empty:
        return line_flags(lines.iloc[:0], PRICE_CHANGE, pd.Series(), pd.Series())
    last = (
        history.sort_values("order_date", ascending=False, kind="stable")
        .drop_duplicates([*KEYS, "supplier_id"])[[*KEYS, "supplier_id", "unit_cost"]]
        .rename(columns={"unit_cost": "last_cost"})
    )
    joined = lines.merge(last, on=[*KEYS, "supplier_id"], how="left")
    joined.index = lines.index
    last_cost = joined["last_cost"].astype(float)
    change = (joined["unit_cost"] - last_cost) / last_cost.where(last_cost > 0)
    # Rounded so that float noise (1.10 / 1.00 - 1 = 0.1000...009) never counts as a change.
    moved = change.abs().round(9) > threshold(joined, rules, "price_change_share")
    hit = joined.loc[moved]
    change = change.loc[hit.index]
    at_stake = (hit["unit_cost"] - hit["last_cost"]).abs() * hit["order_qty"]
    direction = pd.Series(np.where(change > 0, "up", "down"), index=hit.index)
    message = (
        "Price " + direction + " " + qty(change.abs() * 100) + "% since the last order from "
        + hit["supplier_id"].astype(str) + ": unit cost "
        + money(hit["currency"], hit["unit_cost"]) + " against "
        + money(hit["currency"], hit["last_cost"].astype(float)) + "; on "
        + qty(hit["order_qty"]) + " units that is " + money(hit["currency"], at_stake) + "."
    )  # fmt: skip
    return line_flags(hit, PRICE_CHANGE, message, at_stake)


def always_review(orders: pd.DataFrame, suppliers: list[str]) -> pd.DataFrame:
    """One order-level flag per order of a supplier the administrator always wants to see."""
    hit = orders.loc[orders["supplier_id"].isin(suppliers)].assign(sku=None, location=None)
    message = (
        "Supplier " + hit["supplier_id"].astype(str) + " is set to always be reviewed: "
        "this order of " + hit["line_count"].astype(str) + " lines ("
        + money(hit["currency"], hit["value"]) + ") waits for a buyer."
    )  # fmt: skip
    return line_flags(hit, ALWAYS_REVIEW, message, hit["value"])


# This module's rules, gathered by `flags.registry`.
RULES: tuple[FlagRule[Settings], ...] = (
    FlagRule(QUANTITY_VS_HISTORY, "medium",
             lambda i: quantity_vs_history(i.ordered, i.history, i.rules),
             thresholds=("quantity_history_ratio", "history_orders")),
    FlagRule(PRICE_CHANGE, "medium",
             lambda i: price_change(i.ordered, i.history, i.rules),
             thresholds=("price_change_share", "history_orders")),
    FlagRule(ALWAYS_REVIEW, "low",
             lambda i: always_review(i.orders, i.rules.always_review_suppliers)),
)  # fmt: skip
