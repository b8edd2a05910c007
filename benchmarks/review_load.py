"""What reaches a person at catalogue scale: the share of lines and value that go out
without one, the decisions per approver against the capacity, and whether every held
line says why (reason code, sentence, money at stake). Used by the plan benchmark.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from flags import FlagRules, hold_flagged_lines, order_decisions
from flags.capacity import apply_review_capacity, passed_on_totals, review_load
from purchasing.currency import Currencies

APPROVER = "buyer@example.com"  # the embedded default: one approver for every order


def review_figures(
    lines: pd.DataFrame,
    orders: pd.DataFrame,
    flags: pd.DataFrame,
    currencies: Currencies,
    rules: FlagRules | None = None,
) -> dict[str, Any]:
    """Capacity, split and decisions as the nightly run applies them (one approver);
    value shares of money in the base currency."""
    rules = rules or FlagRules()
    approvers = pd.Series(APPROVER, index=orders["po_key"].to_numpy(), dtype=object)
    capped = apply_review_capacity(flags, approvers, rules)
    orders, lines, capped = hold_flagged_lines(orders, lines, capped, rules.holds(capped))
    decisions = order_decisions(orders, capped, rules).set_index("po_key")["decision"]
    went = orders["po_key"].map(decisions).eq("auto_approved").to_numpy(dtype=bool)
    held = capped.loc[capped["holds"].astype(bool)]
    held_lines = lines.loc[lines["po_key"].isin(orders.loc[~went, "po_key"])]
    # A held line says why through its own holding flag, or through the order-level flag
    # that holds its whole order: a reason code, a sentence and the money at stake.
    stated = held["code"].astype(str).str.len().gt(0) & held["message"].astype(str).str.len().gt(0)
    stated &= held["money_at_stake"].notna()
    own = held.loc[stated & held["sku"].notna(), ["po_key", "sku", "location"]]
    whole = set(held.loc[stated & held["sku"].isna(), "po_key"])
    marked = held_lines[["po_key", "sku", "location"]].merge(
        own.drop_duplicates().assign(_own=True), how="left"
    )
    explained = marked["_own"].eq(True) | marked["po_key"].isin(whole)
    count = orders["line_count"]
    value = currencies.to_base(orders["value"], orders["currency"])
    return {
        "lines_auto_share": float(count[went].sum() / count.sum()),
        "value_auto_share": float(value[went].sum() / value.sum()),
        "decisions": review_load(capped, approvers),
        "capacity": rules.review_capacity,
        "held_lines": len(held_lines),
        "held_lines_explained": int(explained.sum()),
        "passed_on": passed_on_totals(capped, currencies.base),
    }
