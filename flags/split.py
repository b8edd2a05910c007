"""Hold back only the flagged lines: the rest of a supplier's order goes out tonight.

Without this, one new item on a twelve-line order would hold eleven ordinary lines
until a buyer finds time, which is exactly the delay the product exists to remove. An
order-level flag (the whole order is too large, say) still holds the whole order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from domain.money import format_amount
from flags.registry import SEVERITY
from flags.rules.demand import BELOW_MIN_ORDER_VALUE

REVIEW_SUFFIX = "-R"
_LINE_KEY = ["po_key", "sku", "location"]


def hold_flagged_lines(
    orders: pd.DataFrame,
    lines: pd.DataFrame,
    flags: pd.DataFrame,
    holds: pd.Series | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Move flagged lines of a partly flagged order into a review order `<po_key>-R`.

    Only flags that hold (`holds`, aligned with `flags`; all of them when None) move a
    line; an informing flag travels with its line. An order is not split when the part
    that would go out tonight falls below the supplier's minimum order value
    (`min_order_value` on the lines): the whole order then waits for the buyer.

    Returns (orders, lines, flags) with the moved lines and their flags re-keyed and both
    orders' value and line count recomputed. Deterministic, so a re-run for the same date
    produces the same two keys and the idempotency guarantees still hold.
    """
    if flags.empty or orders.empty:
        return orders, lines, flags
    holding = flags if holds is None else flags.loc[holds.to_numpy(dtype=bool)]
    whole_order_held = set(holding.loc[holding["sku"].isna(), "po_key"])
    flagged = holding.loc[holding["sku"].notna(), _LINE_KEY].drop_duplicates()
    marked = lines[_LINE_KEY].merge(flagged.assign(_flagged=1), on=_LINE_KEY, how="left")
    is_flagged = marked["_flagged"].notna().to_numpy()
    ordered = lines["po_key"].notna().to_numpy()
    per_order = pd.DataFrame(
        {
            "po_key": lines["po_key"],
            "flagged": is_flagged,
            "kept_value": np.where(is_flagged, 0.0, lines["line_value"].to_numpy(dtype=float)),
            "minimum": lines.get("min_order_value", pd.Series(0.0, index=lines.index)),
        }
    )[ordered]
    share = per_order.groupby("po_key").agg(
        flagged=("flagged", "sum"), size=("flagged", "size"),
        kept_value=("kept_value", "sum"), minimum=("minimum", "max"),
    )  # fmt: skip
    partly = share.index[(share["flagged"] > 0) & (share["flagged"] < share["size"])]
    too_small = share.index[share["kept_value"] < share["minimum"].fillna(0.0) - 0.005]
    split = set(partly) - whole_order_held - set(too_small)
    kept_whole = (set(partly) & set(too_small)) - whole_order_held
    if kept_whole:
        # Every held line must say why it waits: these wait only for their order's sake.
        waiting = ordered & ~is_flagged & lines["po_key"].isin(kept_whole).to_numpy()
        flags = pd.concat(
            [flags, _held_for_minimum(lines.loc[waiting], orders, share)], ignore_index=True
        )
    if not split:
        return orders, lines, flags

    move = is_flagged & lines["po_key"].isin(split).to_numpy()
    lines = lines.copy()
    lines.loc[move, "po_key"] = lines.loc[move, "po_key"] + REVIEW_SUFFIX
    flags = flags.copy()
    # Every flag of a moved line moves with it, informing ones included.
    moved_flags = flags["sku"].notna() & flags["po_key"].isin(split)
    moved_lines = pd.MultiIndex.from_frame(lines.loc[move, _LINE_KEY[1:]])
    moved_flags &= pd.MultiIndex.from_frame(flags[_LINE_KEY[1:]]).isin(moved_lines)
    flags.loc[moved_flags, "po_key"] = flags.loc[moved_flags, "po_key"] + REVIEW_SUFFIX

    held = orders[orders["po_key"].isin(split)].copy()
    held["po_key"] = held["po_key"] + REVIEW_SUFFIX
    orders = pd.concat([orders, held], ignore_index=True)
    return _recount(orders, lines), lines, flags


def _held_for_minimum(
    waiting: pd.DataFrame, orders: pd.DataFrame, share: pd.DataFrame
) -> pd.DataFrame:
    """A BELOW_MIN_ORDER_VALUE flag on each unflagged line of an order that could not be
    split: sent alone, tonight's part would fall below the supplier's minimum."""
    currency = waiting["po_key"].map(orders.set_index("po_key")["currency"]).astype(str)
    kept = waiting["po_key"].map(share["kept_value"]).astype(float)
    minimum = waiting["po_key"].map(share["minimum"]).astype(float)
    amount = kept.map(format_amount)
    floor = minimum.map(format_amount)
    message = (
        "Waits with the flagged lines of this order: sent alone tonight, the ordinary lines ("
        + currency + " " + amount + ") would be below the supplier's minimum order value of "
        + currency + " " + floor + "."
    )  # fmt: skip
    code = str(BELOW_MIN_ORDER_VALUE)
    rows = pd.DataFrame(
        {
            "po_key": waiting["po_key"].to_numpy(dtype=object),
            "sku": waiting["sku"].to_numpy(dtype=object),
            "location": waiting["location"].to_numpy(dtype=object),
            "code": code,
            "severity": SEVERITY[BELOW_MIN_ORDER_VALUE],
            "message": message.to_numpy(dtype=object),
            "money_at_stake": waiting["line_value"].to_numpy(dtype=float),
            "currency": currency.to_numpy(dtype=object),
        }
    )
    # Decided after the review capacity: these hold with their order and take no extra
    # decision (they are decided with the order's flagged lines).
    return rows.assign(holds=True, passed_on=False, held_with_order=True)


def _recount(orders: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    """Value, line count and delivery date of every order from the lines it now holds."""
    ordered = lines[lines["po_key"].notna()]
    totals = ordered.groupby("po_key").agg(
        line_count=("sku", "size"), value=("line_value", "sum"), lead=("lead_time_days", "max")
    )
    orders = orders.copy()
    keyed = orders["po_key"]
    orders["line_count"] = keyed.map(totals["line_count"]).astype(int).to_numpy()
    orders["value"] = keyed.map(totals["value"]).round(2).to_numpy()
    lead_days = np.ceil(keyed.map(totals["lead"]).to_numpy(dtype=float))
    orders["expected_delivery"] = pd.to_datetime(orders["order_date"]) + pd.to_timedelta(
        lead_days, unit="D"
    )
    return orders
