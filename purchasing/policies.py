"""Which policy orders each line, and the stock level it orders up to.

Every policy is expressed as the level the position is raised to (`target`), so pack, MOQ
and cap rounding, explanations and flags work the same whatever policy an item uses. A
line whose position is above its reorder point (or min) gets a target at that level,
below the position: nothing is short, nothing is ordered.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from purchasing.explanation import quantity_text
from purchasing.item_policy import ItemPolicy
from purchasing.params import PolicyParams

DAYS_PER_YEAR = 365.0


class PolicyTargets(NamedTuple):
    kind: np.ndarray  # policy name per line
    target: np.ndarray  # level the position is raised to
    note: pd.Series  # "" for order-up-to; else one sentence on the policy's decision


def policy_table(lines: pd.DataFrame, params: PolicyParams) -> pd.DataFrame:
    """The ItemPolicy fields per line: the sku's, else its category's, else the default."""
    choices = [ItemPolicy(), *params.item_policies.values(), *params.category_policies.values()]
    by_sku = {sku: i + 1 for i, sku in enumerate(params.item_policies)}
    offset = 1 + len(params.item_policies)
    by_category = {cat: i + offset for i, cat in enumerate(params.category_policies)}
    category = lines["category"] if "category" in lines else pd.Series("", index=lines.index)
    chosen = lines["sku"].map(by_sku).fillna(category.map(by_category)).fillna(0)
    table = pd.DataFrame([choice.model_dump() for choice in choices])
    return table.iloc[chosen.astype(int).to_numpy()].reset_index(drop=True)


def economic_order_quantity(
    yearly_demand: np.ndarray, ordering_cost: np.ndarray, holding_rate: np.ndarray,
    unit_cost: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """sqrt(2 D K / (h c)): the order size where yearly ordering and holding costs balance.

    NaN where it is undefined (no demand or no cost): buying a batch of an item nobody asks
    for, or that costs nothing to hold, is not a decision this formula can make.
    """
    holding = holding_rate * unit_cost
    valid = (yearly_demand > 0) & (holding > 0)
    safe = np.where(valid, holding, 1.0)
    return np.where(valid, np.sqrt(2 * yearly_demand * ordering_cost / safe), np.nan)


def policy_targets(lines: pd.DataFrame, params: PolicyParams) -> PolicyTargets:
    """Target per line under its policy; needs position, demand and the item terms."""
    table = policy_table(lines, params)
    kind = table["kind"].to_numpy(dtype=object)
    quantile = lines["demand_quantile"].to_numpy(dtype=float)
    position = lines["position"].to_numpy(dtype=float)
    protection = (lines["lead_time_days"] + lines["review_period_days"]).to_numpy(dtype=float)
    yearly = lines["demand_mean"].to_numpy(dtype=float) / protection * DAYS_PER_YEAR
    eoq = economic_order_quantity(
        yearly, table["ordering_cost"].to_numpy(float), table["holding_rate"].to_numpy(float),
        lines["unit_cost"].to_numpy(dtype=float),
    )  # fmt: skip
    fixed = table["order_quantity"].to_numpy() == "fixed"
    batch = np.where(fixed, table["fixed_quantity"].to_numpy(dtype=float), eoq)
    # Whole batches until the position is above the reorder point again.
    due = position <= quantity_floor(quantile)
    batches = np.maximum(1.0, np.ceil((quantile - position) / np.where(batch > 0, batch, 1.0)))
    reorder = np.where(due, position + batches * batch, quantile)
    low = table["min_qty"].to_numpy(dtype=float)
    min_max = np.where(position <= low, table["max_qty"].to_numpy(dtype=float), low)
    target = np.select([kind == "reorder_point", kind == "min_max"], [reorder, min_max], quantile)

    note = pd.Series("", index=lines.index, dtype=object)
    rop = kind == "reorder_point"
    if rop.any():
        what = np.where(fixed, "fixed quantity ", "economic order quantity ")
        note[rop] = _sentence(
            len(lines), "Reorder-point policy (reorder at ", quantile, ", ", what, batch, "): ",
            np.where(due, "the position is at or below it, so order "
                     + quantity_text(batches).astype(object) + " x "
                     + quantity_text(batch).astype(object) + ".",
                     "the position is above it, so nothing is due."),
        )[rop]  # fmt: skip
    mm = kind == "min_max"
    if mm.any():
        note[mm] = _sentence(
            len(lines), "Min/max policy (min ", low, ", max ", table["max_qty"].to_numpy(float),
            "): ",
            np.where(position <= low, "the position is at or below the min, so order up to "
                     "the max.", "the position is above the min, so nothing is due."),
        )[mm]  # fmt: skip
    return PolicyTargets(kind, target, note)


def quantity_floor(values: np.ndarray) -> np.ndarray:
    """NaN-safe: a missing reorder point never triggers an order."""
    return np.where(np.isnan(values), -np.inf, values)


def _sentence(size: int, *parts: str | np.ndarray) -> np.ndarray:
    """Concatenate text and number columns (numbers as a buyer reads them)."""
    text = pd.Series("", index=range(size), dtype=object)
    for part in parts:
        if isinstance(part, str):
            text = text + part
        elif part.dtype.kind == "f":
            text = text + quantity_text(part).astype(object)
        else:
            text = text + part.astype(object)
    return text.to_numpy(dtype=object)
