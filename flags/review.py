"""Review flags: the reasons a purchase order goes to a buyer instead of straight to the ERP.

Each rule is a vectorised function over the ordered lines (or the orders) returning rows
of the flags frame, listed in the flag registry (`flags.registry`);
`flag_orders` runs the switched-on rules and ranks the result by the money at stake, so
a buyer with little time starts where a mistake costs most.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from contracts import frame_schemas as schemas
from flags.codes import FlagCode
from flags.registry import SEVERITY, FlagInputs, FlagRules, find_flags
from flags.rules.base import FLAG_COLUMNS
from flags.rules.history import empty_history
from flags.rules.orders import empty_order_history
from purchasing.currency import Currencies

__all__ = [
    "AUTO_APPROVED",
    "FLAG_COLUMNS",
    "FLAG_EXTRA_COLUMNS",
    "PENDING_REVIEW",
    "SEVERITY",
    "FlagCode",
    "flag_orders",
    "order_decisions",
]

PENDING_REVIEW = "pending_review"
AUTO_APPROVED = "auto_approved"
_SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}
# Added by `flag_orders` after the contract columns: the order's currency and the money
# at stake in the base currency, which ranks flags across currencies.
FLAG_EXTRA_COLUMNS = ["currency", "money_at_stake_base"]


def flag_orders(
    lines: pd.DataFrame,
    orders: pd.DataFrame,
    forecast_summary: pd.DataFrame,
    quarantined_items: pd.DataFrame,
    rules: FlagRules | None = None,
    *,
    history: pd.DataFrame | None = None,
    order_history: pd.DataFrame | None = None,
    currencies: Currencies | None = None,
) -> pd.DataFrame:
    """All flags of the switched-on rules, ranked by money at stake (largest first).

    `history` holds earlier order lines (`flags.rules.history.HISTORY_COLUMNS`) and
    `order_history` earlier placed orders (`flags.rules.orders.ORDER_HISTORY_COLUMNS`);
    without them the rules comparing with earlier orders stay silent (the unusual-order
    rule falls back to the forecast). A `category` column on the lines lets category
    overrides apply. Money thresholds are in `currencies.base` and compared in each
    order's currency; an order in a currency without a rate raises MissingExchangeRate.

    Money at stake is the line value for line rules, the spend above the usual for an
    unusual order, and the uncovered lead-time demand at cost for a stock-out risk; it
    is in the order's currency (`currency`), and ranked by its base-currency value
    (`money_at_stake_base`). Only lines in a purchase order are checked: a line with
    nothing to order has nothing to approve.
    """
    rules = rules or FlagRules()
    currencies = currencies or Currencies()
    orders = orders.assign(fx_rate=currencies.rate_of(orders["currency"]).to_numpy())
    ordered = lines.loc[lines["po_key"].notna()].merge(
        orders[[c for c in ("po_key", "currency", "order_date", "fx_rate") if c in orders]],
        on="po_key",
        how="left",
    )
    inputs = FlagInputs(
        ordered=ordered,
        orders=orders,
        lines=lines,
        forecast_summary=forecast_summary,
        quarantined_items=quarantined_items,
        rules=rules,
        history=empty_history() if history is None else history,
        order_history=empty_order_history() if order_history is None else order_history,
    )
    found = find_flags(inputs)  # the switched-on rules of the registry, in its order
    columns = [*FLAG_COLUMNS, *FLAG_EXTRA_COLUMNS]
    if not found:
        empty = pd.DataFrame({c: pd.Series(dtype=float if c.startswith("money") else object)
                              for c in columns})  # fmt: skip
        return schemas.FLAGS.check(empty)
    flags = pd.concat(found, ignore_index=True)
    keyed = orders.set_index("po_key")
    flags["currency"] = flags["po_key"].map(keyed["currency"]).astype(object)
    flags["money_at_stake_base"] = (
        flags["money_at_stake"].astype(float) * flags["po_key"].map(keyed["fx_rate"]).astype(float)
    ).round(2)
    flags["_rank"] = flags["severity"].map(_SEVERITY_RANK)
    flags = flags.sort_values(
        ["money_at_stake_base", "_rank", "po_key", "code", "sku"],
        ascending=[False, True, True, True, True],
        kind="stable",
        na_position="last",
    )
    return schemas.FLAGS.check(flags[columns].reset_index(drop=True))  # checked where built


def order_decisions(
    orders: pd.DataFrame, flags: pd.DataFrame, rules: FlagRules | None = None
) -> pd.DataFrame:
    """Per po_key: pending_review if a flag that holds names the order, else auto_approved.

    Everything not flagged goes through untouched: that is the point of the product.
    Flags that only inform (`FlagRules.holds`: an `inform_only` code, or a line flag with
    little money at stake) stay on the order for the buyer to read but do not hold it;
    `flag_count` and `flag_codes` count the holding ones.
    """
    holding = flags.loc[(rules or FlagRules()).holds(flags)]
    per_order = holding.groupby("po_key")["code"].agg(
        flag_count="size", flag_codes=lambda codes: ";".join(sorted(set(codes)))
    )
    decisions = orders[["po_key"]].merge(per_order, on="po_key", how="left")
    decisions["flag_count"] = decisions["flag_count"].fillna(0).astype(int)
    decisions["flag_codes"] = decisions["flag_codes"].fillna("")
    decisions["decision"] = np.where(decisions["flag_count"] > 0, PENDING_REVIEW, AUTO_APPROVED)
    return decisions[["po_key", "decision", "flag_count", "flag_codes"]]
