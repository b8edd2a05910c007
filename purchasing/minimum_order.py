"""The supplier's minimum order value: top a short purchase order up, hold it, or hand
it to a buyer.

A supplier refuses (or surcharges) an order below its minimum value. Topping up buys,
now, stock the items nearest to running out would need soon anyway; holding waits until
enough is needed; a buyer may know the supplier waives it. Which one is the
administrator's call (`PolicyParams.min_order_action`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from domain.money import format_amount
from purchasing.explanation import quantity_text
from purchasing.line_notes import add_constraint, add_sentence, constraint_inflation, hold

TOPPED_UP = "min_order_value_top_up"
BELOW_MINIMUM = "below_min_order_value"
_KEYS = ["supplier_id", "location"]
_MAX_ROUNDS = 20  # each round adds one review period of demand to the least-covered lines


def apply_minimum_order_value(lines: pd.DataFrame, suppliers: pd.DataFrame, action: str) -> None:
    """In place: raise, hold or mark for review every supplier+location order below its
    minimum value. Every line gets `min_order_value` (0 = none), which later steps read:
    the BELOW_MIN_ORDER_VALUE flag, and the review split, which must not leave a part
    below the minimum either.

    An order a top-up cannot lift is marked for review, not held: a minimum far above
    what the items will need soon is a buyer's call (accept a surcharge, wait, another
    supplier), and holding it silently would leave the shelf to run empty.
    """
    minimum = np.zeros(len(lines))
    if "min_order_value" in suppliers:
        minimum = (
            lines[["supplier_id"]]
            .merge(suppliers[["supplier_id", "min_order_value"]], on="supplier_id", how="left")[
                "min_order_value"
            ]
            .astype(float)
            .fillna(0.0)
            .to_numpy()
        )
    lines["min_order_value"] = minimum
    if not (minimum > 0).any():
        return
    short = _short_orders(lines, minimum)
    if not short.any():
        return
    if action == "top_up":
        planned = lines[["order_qty", "line_value"]].copy()
        raised = _top_up(lines, short, minimum)
        still = _short_orders(lines, minimum)
        # An order the top-up cannot lift to the minimum goes to a buyer as planned:
        # extra stock bought for an order that may never be sent would only distort it.
        lines.loc[still, ["order_qty", "line_value"]] = planned.loc[still]
        done = short & ~still
        add_constraint(lines, done & (lines["order_qty"] > 0).to_numpy(), TOPPED_UP)
        lines["constraint_inflation"] = constraint_inflation(lines["order_qty"], lines["raw_qty"])
        add_sentence(lines, done & (raised > 0), _topped_text(lines, raised, minimum))
        short = still
    was_ordered = short & (lines["order_qty"] > 0).to_numpy()
    value = _order_value(lines)
    below = (
        " is worth " + value.map(format_amount) + ", below its minimum order value of "
        + pd.Series(minimum, index=lines.index).map(format_amount)
    )  # fmt: skip
    order_name = (
        "the order to " + lines["supplier_id"].astype(str) + " for " + lines["location"].astype(str)
    )
    if action == "hold":
        hold(lines, was_ordered, BELOW_MINIMUM)
        add_sentence(lines, was_ordered, "Held: " + order_name + below + ".")
        return
    add_constraint(lines, was_ordered, BELOW_MINIMUM)
    add_sentence(
        lines, was_ordered,
        "For a buyer: " + order_name + below + "; the supplier may refuse it or surcharge it.",
    )  # fmt: skip


def below_minimum(lines: pd.DataFrame) -> pd.Series:
    """Lines of orders proposed below their supplier's minimum (marked, not held)."""
    constraints = lines.get("constraints", pd.Series("", index=lines.index)).fillna("")
    held = lines.get("hold", pd.Series("", index=lines.index)).fillna("") != ""
    marked = (";" + constraints.astype(str) + ";").str.contains(f";{BELOW_MINIMUM};", regex=False)
    return marked & ~held


def _order_value(lines: pd.DataFrame) -> pd.Series:
    return lines.groupby(_KEYS, dropna=False)["line_value"].transform("sum")


def _short_orders(lines: pd.DataFrame, minimum: np.ndarray) -> np.ndarray:
    """Rows of orders that are placed (value > 0) yet worth less than the minimum."""
    value = _order_value(lines).to_numpy()
    live = (lines["hold"] == "").to_numpy() if "hold" in lines else np.ones(len(lines), bool)
    return live & (value > 0) & (value < minimum - 0.005)


def _top_up(lines: pd.DataFrame, short: np.ndarray, minimum: np.ndarray) -> np.ndarray:
    """Add one review period of demand (whole packs, MOQ respected) per round to the lines
    with the fewest days of cover, until each order reaches its minimum. Returns the units
    added per line. Rounds loop over orders' progress, never over lines."""
    protection = lines["lead_time_days"] + lines["review_period_days"]
    daily = (lines["demand_mean"] / protection).fillna(0.0).to_numpy(dtype=float)
    pack = np.maximum(lines["pack_size"].to_numpy(dtype=float), 1.0)
    moq = np.ceil(lines["moq"].fillna(0.0).to_numpy(dtype=float) / pack) * pack
    cap = lines["max_order_qty"].to_numpy(dtype=float)
    cap = np.where(np.isnan(cap), np.inf, np.floor(cap / pack) * pack)
    step = np.maximum(np.ceil(daily * lines["review_period_days"].to_numpy(float) / pack), 1) * pack
    cost = lines["unit_cost"].to_numpy(dtype=float)
    added = np.zeros(len(lines))
    for _ in range(_MAX_ROUNDS):
        open_rows = short & _short_orders(lines, minimum) & (daily > 0) & (cost > 0)
        qty = lines["order_qty"].to_numpy(dtype=float)
        more = np.minimum(np.where(qty > 0, step, np.maximum(step, moq)), cap - qty)
        open_rows &= more > 0
        if not open_rows.any():
            break
        # Cover in days after this order: the item that runs out first is bought first.
        # A vanishing daily demand gives an infinite cover: last in line, as it should be.
        with np.errstate(over="ignore", divide="ignore"):
            cover = (lines["position"].to_numpy(dtype=float) + qty) / np.where(daily > 0, daily, 1)
        order = lines.loc[open_rows, _KEYS].assign(
            _cover=cover[open_rows], _row=np.flatnonzero(open_rows)
        )
        order = order.sort_values([*_KEYS, "_cover"], kind="stable")
        gap = (minimum - _order_value(lines).to_numpy())[order["_row"]]
        spent_before = (
            pd.Series(more[order["_row"]] * cost[order["_row"]], index=order.index)
            .groupby([order[k] for k in _KEYS], dropna=False).cumsum()
            - more[order["_row"]] * cost[order["_row"]]
        )  # fmt: skip
        take = order["_row"].to_numpy()[spent_before.to_numpy() < gap]
        added[take] += more[take]
        new_qty = qty[take] + more[take]
        lines.loc[lines.index[take], "order_qty"] = new_qty
        lines.loc[lines.index[take], "line_value"] = np.round(new_qty * cost[take], 2)
    return added


def _topped_text(lines: pd.DataFrame, raised: np.ndarray, minimum: np.ndarray) -> pd.Series:
    return (
        "Raised by " + pd.Series(quantity_text(raised).astype(object), index=lines.index)
        + " to reach the supplier's minimum order value of "
        + pd.Series(minimum, index=lines.index).map(format_amount)
        + " (the items with the fewest days of cover are bought first)."
    )  # fmt: skip
