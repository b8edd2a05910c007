"""Who must look at a flagged order: pure rules over the order and its lines."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd


def assign_approvers(
    orders: pd.DataFrame,
    lines: pd.DataFrame,
    *,
    default_approver: str,
    by_supplier: Mapping[str, str],
    by_category: Mapping[str, str],
) -> pd.Series:
    """Approver per `po_key`: the supplier's, else the main category's, else the default.

    An order's main category is the one carrying most of its value, so a mixed order goes
    to the person who owns most of the money on it.
    """
    if orders.empty:
        return pd.Series(dtype=object, name="approver")
    main_category = _main_category(lines)
    keyed = orders.set_index("po_key")
    by_sup = keyed["supplier_id"].map(dict(by_supplier))
    by_cat = main_category.reindex(keyed.index).map(dict(by_category))
    return by_sup.fillna(by_cat).fillna(default_approver).rename("approver")


def _main_category(lines: pd.DataFrame) -> pd.Series:
    if lines.empty or "category" not in lines:
        return pd.Series(dtype=object)
    value = lines.groupby(["po_key", "category"], sort=False)["line_value"].sum()
    top = value.sort_values(ascending=False).reset_index().drop_duplicates("po_key")
    return top.set_index("po_key")["category"]
