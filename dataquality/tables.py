"""Which checks each input table gets, in the order that makes them meaningful.

Suppliers come first (items need their ids and default lead times), then items (every
other table must name an accepted item-location), then demand, stock and open orders.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from dataquality.checks import (
    check_ceiling,
    check_duplicates,
    check_known_items,
    check_not_ancient,
    check_not_future,
    check_quantity,
    check_range,
    item_keys,
)
from dataquality.coerce import coerce
from dataquality.reasons import Reason
from dataquality.rules import ValidationRules
from dataquality.table import Table


def check_suppliers(table: Table, rules: ValidationRules) -> None:
    """Suppliers: ids and names present, money and lead times in range, no conflicts."""
    coerce(table, rules)
    v = table.values
    check_range(
        table, "min_order_value", v["min_order_value"] < 0, Reason.OUT_OF_RANGE, "is negative"
    )
    check_range(
        table,
        "lead_time_days",
        v["lead_time_days"] <= 0,
        Reason.OUT_OF_RANGE,
        "must be more than 0 days",
    )
    check_ceiling(table, "min_order_value", rules.max_order_value, "max_order_value")
    check_ceiling(table, "lead_time_days", rules.max_lead_time_days, "max_lead_time_days")
    check_duplicates(table)


def check_items(table: Table, suppliers: Table, rules: ValidationRules) -> None:
    """Items: ordering terms in range, a known supplier, a lead time (own or supplier's)."""
    coerce(table, rules)
    v = table.values
    pack = v["pack_size"]
    check_range(
        table,
        "pack_size",
        (pack < 1) | ((pack % 1 != 0) & pack.notna()),
        Reason.BAD_PACK_SIZE,
        "is not a whole number of at least 1",
    )
    check_range(table, "moq", v["moq"] < 0, Reason.BAD_MOQ, "is negative")
    for column, bad, text in (
        ("unit_cost", v["unit_cost"] < 0, "is negative"),
        ("lead_time_days", v["lead_time_days"] <= 0, "must be more than 0 days"),
        ("lead_time_std_days", v["lead_time_std_days"] < 0, "is negative"),
        (
            "service_level",
            (v["service_level"] <= 0) | (v["service_level"] >= 1),
            "must be between 0 and 1 (e.g. 0.95)",
        ),
        ("review_period_days", v["review_period_days"] <= 0, "must be more than 0 days"),
        ("max_order_qty", v["max_order_qty"] <= 0, "must be more than 0"),
    ):
        check_range(table, column, bad, Reason.OUT_OF_RANGE, text)
    for column, limit, name in (
        ("unit_cost", rules.max_unit_cost, "max_unit_cost"),
        ("lead_time_days", rules.max_lead_time_days, "max_lead_time_days"),
        ("lead_time_std_days", rules.max_lead_time_days, "max_lead_time_days"),
        ("review_period_days", rules.max_lead_time_days, "max_lead_time_days"),
    ):
        check_ceiling(table, column, limit, name)
    for column in ("pack_size", "moq", "max_order_qty"):
        check_quantity(table, column, rules.max_quantity, negative_ok=True)
    _check_supplier(table, suppliers, rules)
    check_duplicates(table)


def _check_supplier(table: Table, suppliers: Table, rules: ValidationRules) -> None:
    """Unknown suppliers are quarantined; a missing lead time falls back to the supplier's."""
    accepted = suppliers.values.loc[suppliers.kept()]
    lead_times = accepted.set_index("supplier_id")["lead_time_days"]
    supplier = table.values["supplier_id"]
    known = supplier.isin(lead_times.index).to_numpy()
    table.flag(
        Reason.UNKNOWN_SUPPLIER,
        "supplier_id",
        table.present("supplier_id") & ~known,
        "is not an accepted supplier",
    )
    missing = table.blank["lead_time_days"]
    fallback = supplier.map(lead_times).to_numpy(dtype=float)
    # the supplier's default was bounded when the supplier row was checked
    filled = missing & known & np.isfinite(fallback) & (fallback <= rules.max_lead_time_days)
    table.values.loc[filled, "lead_time_days"] = fallback[filled]
    table.flag(
        Reason.LEAD_TIME_FROM_SUPPLIER,
        "lead_time_days",
        filled,
        "taken from supplier "
        + supplier[filled]
        + ": "
        + pd.Series(fallback[filled], index=supplier.index[filled]).astype(str),
        quote=False,
    )
    table.flag(
        Reason.MISSING_FIELD,
        "lead_time_days",
        missing & ~filled,
        "is missing and the supplier gives no default lead time",
        quote=False,
    )


def check_demand(table: Table, items: Table, rules: ValidationRules, as_of: date) -> None:
    """Demand history: non-negative plausible quantities, dates within
    `max_history_years` before the run and not after it, accepted items."""
    coerce(table, rules)
    check_quantity(table, "quantity", rules.max_quantity, negative_ok=False)
    check_not_future(table, "date", as_of)
    check_not_ancient(table, "date", as_of, rules.max_history_years)
    check_known_items(table, items)
    check_duplicates(table)


def check_stock(table: Table, items: Table, rules: ValidationRules, as_of: date) -> None:
    """Stock on hand: negative is a backorder (allowed), absurd or stale is not."""
    coerce(table, rules)
    check_quantity(table, "on_hand", rules.max_quantity, negative_ok=True)
    check_not_future(table, "as_of", as_of)
    oldest = pd.Timestamp(as_of) - pd.Timedelta(days=rules.max_stock_age_days)
    stale = (table.values["as_of"] < oldest).to_numpy(dtype=bool)
    table.flag(
        Reason.STALE_STOCK,
        "as_of",
        stale,
        f"is more than {rules.max_stock_age_days:g} days before the run's as-of date "
        f"{as_of.isoformat()} (validation.max_stock_age_days)",
    )
    check_known_items(table, items)
    check_duplicates(table)


def check_open_orders(table: Table, items: Table, rules: ValidationRules) -> None:
    """Open orders: positive plausible quantities for accepted items; supplier defaulted."""
    coerce(table, rules)
    check_quantity(table, "quantity", rules.max_quantity, negative_ok=False)
    check_known_items(table, items)
    check_duplicates(table)
    # an order line without a supplier is the item's supplier's: a default, not a repair
    accepted = items.values.loc[items.kept()]
    by_item = pd.Series(accepted["supplier_id"].to_numpy(), index=item_keys(items))
    pairs = pd.MultiIndex.from_frame(table.values[["sku", "location"]])
    fallback = by_item.reindex(pairs).fillna("").to_numpy(dtype=object)
    supplier = table.values["supplier_id"]
    table.values["supplier_id"] = supplier.where(supplier != "", fallback)


def check_stock_history(table: Table, items: Table, rules: ValidationRules, as_of: date) -> None:
    """Stock history (optional): dated on-hand figures of accepted items, none in the
    future; negative is a backorder (allowed, and out of stock like zero)."""
    coerce(table, rules)
    check_quantity(table, "on_hand", rules.max_quantity, negative_ok=True)
    check_not_future(table, "date", as_of)
    check_not_ancient(table, "date", as_of, rules.max_history_years)
    check_known_items(table, items)
    check_duplicates(table)
