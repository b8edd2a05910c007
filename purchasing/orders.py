"""Purchase orders: the lines to buy, grouped per supplier and delivery location."""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime

import numpy as np
import pandas as pd

from contracts import frame_schemas as schemas
from purchasing.minimum_order import apply_minimum_order_value
from purchasing.order_days import apply_order_days
from purchasing.params import PolicyParams
from purchasing.planning import as_of_day
from purchasing.position import require_unique

ORDER_KEYS = ["supplier_id", "location"]
ORDER_COLUMNS = [
    "po_key",
    "supplier_id",
    "location",
    "order_date",
    "expected_delivery",
    "currency",
    "line_count",
    "value",
]
DEFAULT_CURRENCY = "EUR"

_CLEAN = re.compile(r"[A-Z0-9]+")
# purchase_orders.po_key is VARCHAR(96); "-V<n>" (a rerun after a rollback, n < 10000)
# and "-R" (a review order) must still fit.
MAX_KEY_LENGTH = 80
REVISION_MARK = "-V"
_NOT_ALLOWED = re.compile(r"[^A-Z0-9]+")


def _key_part(raw: str) -> str:
    return _NOT_ALLOWED.sub("-", raw.upper()).strip("-")


def po_key(
    as_of: date | datetime | pd.Timestamp | str, supplier_id: str, location: str, revision: int = 1
) -> str:
    """The order's idempotency key, e.g. "RPL-20240105-ACME-WH1".

    The ERP refuses a second order with the same key, which is what makes re-runs safe.
    So two different supplier/location pairs must never share a key: when sanitising
    loses information ("acme co" and "ACME-CO" would both read ACME-CO, and a "-" inside
    an id makes the split ambiguous), a short digest of the exact pair is appended.

    `revision` counts the rollbacks of the night plus one: a night rolled back and run
    again orders under new keys ("RPL-20240105-ACME-WH1-V2"), since the ERP keeps the
    cancelled order's key for ever and a rerun must neither skip nor reuse it. "V" is no
    hex digit and no "R": a revision key never equals a digest or a review key.
    """
    supplier, loc = str(supplier_id), str(location)
    key = f"RPL-{as_of_day(as_of):%Y%m%d}-{_key_part(supplier)}-{_key_part(loc)}"
    if not (_CLEAN.fullmatch(supplier) and _CLEAN.fullmatch(loc) and len(key) <= MAX_KEY_LENGTH):
        digest = hashlib.sha256(f"{supplier}\x1f{loc}".encode()).hexdigest()[:6].upper()
        # Long ids are cut, the digest of the exact pair keeps the key unique: a key always
        # fits the ERP's reference and the database column, with room for a review suffix.
        key = f"{key[: MAX_KEY_LENGTH - len(digest) - 1].rstrip('-')}-{digest}"
    return key if revision <= 1 else f"{key}{REVISION_MARK}{revision}"


def group_orders(
    lines: pd.DataFrame,
    suppliers: pd.DataFrame,
    *,
    as_of: date | datetime | pd.Timestamp | str,
    params: PolicyParams | None = None,
    revision: int = 1,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One purchase order per supplier + delivery location; lines get their po_key
    (of the night's `revision`: see `po_key`).

    The supplier's terms on the order as a whole are applied first: its order days (lines
    are held on other days, protection reaches the next order day) and its minimum order
    value (top up or hold, by `params.min_order_action`). Returns (orders, lines). Lines
    with nothing to order keep po_key None: part of the plan, not of any order.
    """
    day = as_of_day(as_of)
    require_unique(suppliers, ["supplier_id"], "suppliers")
    lines = lines.copy()
    if "hold" not in lines:
        lines["hold"] = ""
    apply_order_days(lines, suppliers, day)
    apply_minimum_order_value(lines, suppliers, (params or PolicyParams()).min_order_action)
    to_buy = lines.loc[lines["order_qty"] > 0]
    orders = to_buy.groupby(ORDER_KEYS, sort=True, dropna=False, as_index=False).agg(
        line_count=("sku", "size"),
        value=("line_value", "sum"),
        lead_time_days=("lead_time_days", "max"),
    )
    # Lines are already in cents; rounding the sum only removes float dust.
    orders["value"] = orders["value"].round(2)
    # The order arrives when its slowest line does, counted in whole days.
    lead_days = np.ceil(orders["lead_time_days"].to_numpy(dtype=float))
    orders["order_date"] = day
    orders["expected_delivery"] = day + pd.to_timedelta(lead_days, unit="D")
    # One key per order, not per line: this loop is over suppliers x locations.
    pairs = zip(orders["supplier_id"], orders["location"], strict=True)
    keys = [po_key(day, supplier, location, revision) for supplier, location in pairs]
    orders["po_key"] = pd.Series(keys, index=orders.index, dtype=object)
    currency = orders["supplier_id"].map(suppliers.set_index("supplier_id")["currency"])
    # An unknown or blank currency falls back to the company default rather than blocking.
    known = currency.notna() & (currency.astype(str).str.strip() != "")
    # Upper-cased so "usd" and "USD" are one currency in every total and rate look-up.
    orders["currency"] = currency.where(known, DEFAULT_CURRENCY).astype(str).str.strip().str.upper()
    orders["currency"] = orders["currency"].astype(object)
    orders = orders[ORDER_COLUMNS]

    keyed = lines.drop(columns=["po_key"], errors="ignore").merge(
        orders[[*ORDER_KEYS, "po_key"]], on=ORDER_KEYS, how="left"
    )
    keyed.index = lines.index
    keyed.loc[~(lines["order_qty"] > 0).to_numpy(), "po_key"] = None
    keyed["po_key"] = keyed["po_key"].astype(object).where(keyed["po_key"].notna(), None)
    column_order = list(lines.columns) if "po_key" in lines else [*lines.columns, "po_key"]
    # The orders are checked where built (docs/frames.md); the lines were, in `plan_lines`.
    return schemas.ORDERS.check(orders.reset_index(drop=True)), keyed[column_order]
