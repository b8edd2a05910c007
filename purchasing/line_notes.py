"""Notes added to order lines after planning: constraint labels and sentences.

Supplier terms applied after the quantity (order days, minimum order value) must leave
the same trace as pack and MOQ rounding: a label a rule can read and words a buyer reads.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

HOLD_COLUMNS = ["hold", "constraint_inflation"]


def add_constraint(lines: pd.DataFrame, where: pd.Series | np.ndarray, label: str) -> None:
    """Append `label` to the `constraints` of the rows in `where` (in place)."""
    mask = np.asarray(where, dtype=bool)
    if not mask.any():
        return
    current = lines.loc[mask, "constraints"].fillna("").astype(str)
    lines.loc[mask, "constraints"] = np.where(current == "", label, current + ";" + label)


def add_sentence(lines: pd.DataFrame, where: pd.Series | np.ndarray, text: pd.Series) -> None:
    """Append `text` (aligned with `lines`) to the explanation of the rows in `where`."""
    mask = np.asarray(where, dtype=bool)
    if not mask.any():
        return
    lines.loc[mask, "explanation"] = (
        lines.loc[mask, "explanation"].astype(str) + " " + text.loc[mask].astype(str)
    ).to_numpy(dtype=object)


def hold(lines: pd.DataFrame, where: pd.Series | np.ndarray, reason: str) -> None:
    """Order nothing on the rows in `where`, and record why in `hold` (in place).

    The planned quantity stays in `raw_qty`: a buyer who overrides the hold sees what the
    policy would have bought.
    """
    mask = np.asarray(where, dtype=bool)
    lines.loc[mask, "order_qty"] = 0.0
    lines.loc[mask, "line_value"] = 0.0
    lines.loc[mask, "hold"] = reason
    add_constraint(lines, mask, reason)


def constraint_inflation(order_qty: pd.Series, raw_qty: pd.Series) -> pd.Series:
    """Ordered / needed where something was needed (NaN otherwise): 20 means the supplier's
    terms made us buy 20 times the need, stock that may sit for a long time."""
    raw = raw_qty.astype(float)
    return (order_qty.astype(float) / raw.where(raw > 0)).astype(float)
