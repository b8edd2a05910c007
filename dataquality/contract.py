"""The input data contract: which tables exist, their columns, types and keys.

One definition, read by the source adapters (which columns a file must have) and by the
validator (how each cell is parsed and which rows count as duplicates), so the two can
never disagree about what a valid extract is. DESIGN.md "Data contract" is the source.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from dataquality.reasons import Reason


class ColumnType(StrEnum):
    """How a cell is parsed; each type has its own repairs and failure reasons."""

    KEY = "key"  # identifier: trimmed (repair), upper-cased when `upper`
    TEXT = "text"  # free text: trimmed silently
    NUMBER = "number"  # float: thousands separators, decimal comma
    DATE = "date"  # the documented formats, normalised to midnight
    FLAG = "flag"  # yes/no


@dataclass(frozen=True)
class Column:
    """One column of an input table.

    `required` means the file must have the column. `missing` is the reason given to a
    row whose cell is empty; None means an empty cell takes `default` (optional values)
    or is resolved by a table-specific rule (items' lead time comes from the supplier).
    """

    name: str
    type: ColumnType
    required: bool = False
    missing: Reason | None = None
    default: object = ""
    upper: bool = True
    integer: bool = False  # validated output is int64 (the check itself is table-specific)

    @property
    def max_length(self) -> int | None:
        """The longest text the product stores for this column (None: not text).

        Identifiers end up in VARCHAR(64) columns and in order keys; a longer cell is
        quarantined (TOO_LONG) here rather than raising in PostgreSQL at the end of a night.
        """
        if self.type is ColumnType.KEY:
            return MAX_ID_LENGTH
        if self.type is ColumnType.TEXT:
            return TEXT_LENGTHS.get(self.name, MAX_TEXT_LENGTH)
        return None


# The storage column sizes the gate keeps every value inside (storage/models.py).
MAX_ID_LENGTH = 64
MAX_TEXT_LENGTH = 1000
TEXT_LENGTHS = {
    "currency": 8,
    "name": 255,
    "email": 255,
    "category": 255,
    "order_days": 64,
    "channel": 64,
}


def _req(name: str, type_: ColumnType, missing: Reason | None = Reason.MISSING_FIELD) -> Column:
    return Column(name, type_, required=True, missing=missing)


def _opt(name: str, type_: ColumnType, default: object = "") -> Column:
    return Column(name, type_, default=default)


@dataclass(frozen=True)
class TableContract:
    """One kind of input table: its file name pattern, columns and duplicate key."""

    kind: str
    file_pattern: str  # a file name, or a prefix ending in '*' for merged files
    file_required: bool
    columns: tuple[Column, ...]
    key: tuple[str, ...]

    @property
    def names(self) -> list[str]:
        """Column names in contract (and output) order."""
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        """Columns a file of this kind must have."""
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        """The column called `name`."""
        return next(c for c in self.columns if c.name == name)


K, T, N, D, F = ColumnType.KEY, ColumnType.TEXT, ColumnType.NUMBER, ColumnType.DATE, ColumnType.FLAG
NAN = float("nan")

ITEMS = TableContract(
    "items",
    "items.csv",
    True,
    (
        _req("sku", K),
        _req("location", K),
        _req("supplier_id", K, missing=Reason.NO_SUPPLIER),
        _req("unit_cost", N),
        Column("pack_size", N, required=True, missing=Reason.MISSING_FIELD, integer=True),
        _req("moq", N),
        _req("lead_time_days", N, missing=None),  # filled from the supplier when empty
        _opt("lead_time_std_days", N, 0.0),
        _opt("service_level", N, NAN),  # NaN = the purchasing policy default
        _opt("review_period_days", N, NAN),  # NaN = the purchasing policy default
        _opt("max_order_qty", N, NAN),  # NaN = no maximum
        _opt("category", T),
        _opt("description", T),
        _opt("active", F, True),
    ),
    key=("sku", "location"),
)
SUPPLIERS = TableContract(
    "suppliers",
    "suppliers.csv",
    True,
    (
        _req("supplier_id", K),
        _req("name", T),
        _opt("email", T),
        _opt("min_order_value", N, 0.0),
        _opt("order_days", T),
        _opt("currency", T),
        _opt("lead_time_days", N, NAN),
    ),
    key=("supplier_id",),
)
DEMAND = TableContract(
    "demand",
    "demand*.csv",
    True,
    (_req("sku", K), _req("location", K), _req("date", D), _req("quantity", N), _opt("channel", T)),
    key=("sku", "location", "date", "channel"),
)
STOCK = TableContract(
    "stock",
    "stock.csv",
    True,
    (
        _req("sku", K),
        _req("location", K),
        _req("on_hand", N),
        _opt("as_of", D, np.datetime64("NaT")),
    ),
    key=("sku", "location"),
)
OPEN_ORDERS = TableContract(
    "open_orders",
    "open_orders.csv",
    False,  # absent file = no open orders
    (
        Column("order_ref", K, required=True, missing=Reason.MISSING_FIELD, upper=False),
        _req("sku", K),
        _req("location", K),
        _req("quantity", N),
        _req("due_date", D),
        _opt("supplier_id", K),  # empty = the item's supplier
    ),
    key=("order_ref", "sku", "location"),
)
STOCK_HISTORY = TableContract(
    "stock_history",
    "stock_history.csv",
    False,  # absent file = no stock history: every zero-sale period counts as zero demand
    (_req("sku", K), _req("location", K), _req("date", D), _req("on_hand", N)),
    key=("sku", "location", "date"),
)

# Validation order matters: suppliers before items (supplier check, lead-time default),
# items before the tables whose rows must name an accepted item.
CONTRACTS: dict[str, TableContract] = {
    c.kind: c for c in (SUPPLIERS, ITEMS, DEMAND, STOCK, OPEN_ORDERS, STOCK_HISTORY)
}
KINDS: tuple[str, ...] = ("items", "suppliers", "demand", "stock", "open_orders", "stock_history")

# Header spellings other systems use for a contract column, per kind (after trimming,
# case-folding and spaces -> underscores). An alias is only used when the contract name
# itself is absent, and every rename is reported, never applied silently. Documented in
# the README; add a spelling here, not in the readers.
_COMMON = {
    "sku": ("item", "item_code", "item_no", "article", "article_no", "product_code"),
    "location": ("store", "warehouse", "site", "loc", "location_id", "branch"),
    "supplier_id": ("vendor", "vendor_id", "vendor_no", "supplier", "supplier_code"),
}
ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "items": {
        **_COMMON,
        "unit_cost": ("cost", "unit_price", "purchase_price"),
        "pack_size": ("pack", "pack_qty", "case_size", "case_qty"),
        "moq": ("min_order_qty", "minimum_order_quantity", "min_qty"),
        "lead_time_days": ("lead_time", "leadtime", "lead_days"),
    },
    "suppliers": {"supplier_id": _COMMON["supplier_id"], "name": ("supplier_name", "vendor_name")},
    "demand": {
        "sku": _COMMON["sku"],
        "location": _COMMON["location"],
        "date": ("day", "sale_date", "sales_date", "order_date"),
        "quantity": ("qty", "units", "sales_qty", "quantity_sold"),
    },
    "stock": {
        "sku": _COMMON["sku"],
        "location": _COMMON["location"],
        "on_hand": ("onhand", "qty_on_hand", "stock", "stock_qty", "quantity"),
    },
    "stock_history": {
        "sku": _COMMON["sku"],
        "location": _COMMON["location"],
        "date": ("day", "stock_date", "as_of"),
        "on_hand": ("onhand", "qty_on_hand", "stock", "stock_qty", "quantity"),
    },
    "open_orders": {
        **_COMMON,
        "order_ref": ("po", "po_number", "po_no", "order_no", "order_number"),
        "quantity": ("qty", "open_qty", "ordered_qty"),
        "due_date": ("due", "eta", "delivery_date", "expected_date"),
    },
}
SOURCE_COLUMNS: tuple[str, str] = ("source_file", "source_line")
# Optional: what the source already knows is wrong with a row it could not read cleanly
# ("MALFORMED_ROW: has 6 fields, the header 5"); the gate quarantines it with that reason.
SOURCE_PROBLEM = "source_problem"
