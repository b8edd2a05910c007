"""Supplier order days: a supplier that takes orders on Mon;Thu only is ordered from then.

Two consequences for a line: on any other day it is held (nothing is sent, and it says
so), and the order placed on an order day must last until the next chance to order,
which may be later than the item's own review period: its protection interval reaches
the next order day, and the quantity grows with it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from purchasing.explanation import explain
from purchasing.line_notes import add_sentence, constraint_inflation, hold
from purchasing.quantities import applied_constraints, quantity_steps

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
NOT_ORDER_DAY = "not_order_day"
_DAY_INDEX = {name.lower(): i for i, name in enumerate(DAY_NAMES)}


def order_day_mask(order_days: pd.Series) -> np.ndarray:
    """(rows, 7) booleans, Monday first. "" (or no day we can read) = any day: holding
    orders on a value nobody can interpret would silently stop a supplier's deliveries."""
    mask = np.zeros((len(order_days), 7), dtype=bool)
    tokens = order_days.fillna("").astype(str).str.lower().str.split(r"[;,\s]+")
    exploded = tokens.explode()
    day = exploded.str[:3].map(_DAY_INDEX)
    known = day.notna().to_numpy()
    rows = np.arange(len(order_days)).repeat(tokens.str.len().to_numpy())[known]
    mask[rows, day.to_numpy()[known].astype(int)] = True
    mask[~mask.any(axis=1)] = True
    return mask


def days_to_order_day(mask: np.ndarray, start: pd.Timestamp, after_days: np.ndarray) -> np.ndarray:
    """Days from `start` to the first order day at least `after_days` (rounded up) later."""
    first = np.ceil(np.asarray(after_days, dtype=float)).astype(np.int64)
    gap = np.full(len(mask), -1, dtype=np.int64)
    for offset in range(7):  # the first allowed weekday is at most 6 days on
        day = first + offset
        hit = (gap < 0) & mask[np.arange(len(mask)), (start.weekday() + day) % 7]
        gap[hit] = day[hit]
    return gap


def apply_order_days(lines: pd.DataFrame, suppliers: pd.DataFrame, as_of: pd.Timestamp) -> None:
    """Stretch protection intervals to the next order day and hold lines on other days.

    In place. Demand over the longer interval scales with its length and the safety stock
    with its square root (independent periods, as in the forecast's own spread), so the
    service level stays the one the forecast was computed for.
    """
    if "order_days" not in suppliers:
        return
    days = lines[["supplier_id"]].merge(
        suppliers[["supplier_id", "order_days"]], on="supplier_id", how="left"
    )["order_days"]
    # Parsed once per distinct value (a handful of suppliers), then taken per line.
    codes, values = pd.factorize(days.fillna("").astype(str).str.strip())
    restricted = (values != "")[codes]
    if not restricted.any():
        return
    mask = order_day_mask(pd.Series(values))[codes]
    review = lines["review_period_days"].to_numpy(dtype=float)
    gap = days_to_order_day(mask, as_of, review).astype(float)
    # Only order-up-to targets are quantiles of protection-interval demand; a min/max or
    # a reorder point is the administrator's number (or batch) and is left as set.
    up_to = (lines["policy"] == "order_up_to").to_numpy() if "policy" in lines else True
    longer = restricted & (gap > review) & up_to
    if longer.any():
        _stretch(lines, longer, gap)
    # Only lines with something to buy are held; the others have nothing to wait for.
    buying = (lines["order_qty"] > 0).to_numpy()
    closed = restricted & ~mask[:, as_of.weekday()] & buying
    if closed.any():
        hold(lines, closed, NOT_ORDER_DAY)
        add_sentence(lines, closed, pd.Series(_held_text(values, as_of)[codes], index=lines.index))


def _held_text(values: pd.Index, as_of: pd.Timestamp) -> np.ndarray:
    """The hold sentence per distinct order_days value."""
    after = days_to_order_day(order_day_mask(pd.Series(values)), as_of, np.ones(len(values)))
    next_day = (as_of + pd.to_timedelta(after, "D")).strftime("%a %Y-%m-%d")
    named = pd.Series(values).str.split(r"[;,\s]+").str.join(", ")
    text = "Held: this supplier takes orders on " + named + " only; the next order day is "
    return (text + pd.Series(next_day) + ".").to_numpy(dtype=object)


def _stretch(lines: pd.DataFrame, rows: np.ndarray, review: np.ndarray) -> None:
    lead = lines["lead_time_days"].to_numpy(dtype=float)
    old = lead + lines["review_period_days"].to_numpy(dtype=float)
    ratio = np.where(rows, (lead + review) / old, 1.0)
    part = lines.loc[rows].copy()
    part["review_period_days"] = review[rows]
    part["demand_mean"] = part["demand_mean"] * ratio[rows]
    part["safety_stock"] = part["safety_stock"] * np.sqrt(ratio[rows])
    part["target"] = part["demand_mean"] + part["safety_stock"]
    part["demand_quantile"] = part["target"]
    steps = quantity_steps(
        part["target"], part["position"], part["pack_size"], part["moq"], part["max_order_qty"]
    )
    part["raw_qty"] = steps.raw
    part["order_qty"] = steps.order_qty
    part["line_value"] = (part["order_qty"] * part["unit_cost"]).round(2)
    part["constraints"] = applied_constraints(steps)
    part["constraint_inflation"] = constraint_inflation(part["order_qty"], part["raw_qty"])
    part["explanation"] = explain(part, steps)
    lines.loc[rows, part.columns] = part
    add_sentence(
        lines, rows,
        pd.Series("The review period is stretched to the supplier's next order day.",
                  index=lines.index),
    )  # fmt: skip
