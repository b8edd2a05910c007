"""What every review rule shares: reason codes, the flags frame and thresholds.

Kept apart from the rules so each rule module imports this and nothing of the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from domain.money import format_amount
from flags.codes import FlagCode
from purchasing.explanation import quantity_text
from purchasing.position import KEYS

if TYPE_CHECKING:
    from flags.rule import RuleSettings

__all__ = [
    "FLAG_COLUMNS",
    "line_flags",
    "money",
    "no_flags",
    "threshold",
    "with_forecast",
]

FLAG_COLUMNS = ["po_key", "sku", "location", "code", "severity", "message", "money_at_stake"]

# Thresholds that are amounts of money, set in the base currency (`[currency]`): compared
# in a row's own currency through its `fx_rate` column (base value of one unit) when the
# frame has one.
MONEY_THRESHOLDS = frozenset(
    {"line_value_limit", "order_value_limit", "constraint_inflation_min_value",
     "review_min_money_at_stake"}
)  # fmt: skip


def money(currency: pd.Series, amount: pd.Series) -> pd.Series:
    """`domain.money.format_money` for a column: "EUR 1,234.50" per row.

    Formatting only; a flag message is read by a person, the amount stays a float."""
    return currency.astype(str) + " " + amount.map(format_amount)


def qty(values: pd.Series) -> pd.Series:
    return pd.Series(quantity_text(values), index=values.index, dtype=object)


def line_flags(
    hit: pd.DataFrame, code: FlagCode, message: pd.Series, at_stake: pd.Series
) -> pd.DataFrame:
    """Rows of the flags frame for the lines a rule hit (messages built for hits only)."""
    return pd.DataFrame(
        {
            "po_key": hit["po_key"].to_numpy(dtype=object),
            "sku": hit["sku"].to_numpy(dtype=object),
            "location": hit["location"].to_numpy(dtype=object),
            "code": str(code),
            "severity": None,  # set from the registry (`flags.registry`)
            "message": message.to_numpy(dtype=object),
            "money_at_stake": at_stake.to_numpy(dtype=float),
        }
    )


def no_flags(code: FlagCode) -> pd.DataFrame:
    """A rule's answer when its inputs are missing: silent, never a guess."""
    empty = pd.DataFrame(columns=["po_key", "sku", "location"])
    return line_flags(empty, code, pd.Series(dtype=object), pd.Series(dtype=float))


def units(values: pd.Series) -> pd.Series:
    """'1 unit', '12 units', '0.5 units': the count with its noun in the right number."""
    text = qty(values)
    return text + pd.Series(np.where(text == "1", " unit", " units"), index=values.index)


def order_text(hit: pd.DataFrame) -> pd.Series:
    return (
        "this order of " + units(hit["order_qty"]) + " ("
        + money(hit["currency"], hit["line_value"]) + ")"
    )  # fmt: skip


def threshold(frame: pd.DataFrame, rules: RuleSettings, name: str) -> pd.Series:
    """The value of threshold `name` for each row: supplier override, else category, else global.

    A supplier's terms are the most specific thing a buyer negotiates, so a supplier
    override beats a category one. Rows without a `category` column use supplier and
    global values only (orders have no single category). Money thresholds are converted
    into the row's currency when the frame carries `fx_rate` (see `MONEY_THRESHOLDS`).
    """
    by_supplier = rules.overrides_for("supplier", name)
    by_category = rules.overrides_for("category", name)
    value = pd.Series(float(getattr(rules, name)), index=frame.index)
    if by_category and "category" in frame:
        value = frame["category"].map(by_category).astype(float).fillna(value)
    if by_supplier and "supplier_id" in frame:
        value = frame["supplier_id"].map(by_supplier).astype(float).fillna(value)
    if name in MONEY_THRESHOLDS and "fx_rate" in frame:
        value = value / frame["fx_rate"].astype(float)
    return value


def with_forecast(lines: pd.DataFrame, summary: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """`lines` with the forecast summary's `columns` joined on (NaN where the summary
    lacks one), keeping the lines' index so a rule's hits point back at them."""
    present = [c for c in columns if c in summary]
    # The forecast's own figures win over any copy the plan carried onto the line.
    joined = lines.drop(columns=present, errors="ignore").merge(
        summary[[*KEYS, *present]], on=KEYS, how="left"
    )
    joined.index = lines.index
    for missing in set(columns) - set(present):
        joined[missing] = np.nan
    return joined
