"""A supplier's recent placed orders at a location: the yardstick of an unusual order.

An order split overnight into `<po_key>` and its review order `<po_key>-R` is one order
to the business, so orders are summed per supplier, location, currency and order date.
Only placed orders count (`ORDERED`): a rejected or expired proposal is not what the
business usually buys.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from domain.lifecycle import OrderStatus
from storage.models import OrderLine, PurchaseOrder


def recent_supplier_orders(
    session: Session,
    pairs: list[tuple[str, str]],
    ordered: Collection[OrderStatus],
    per_pair: int = 8,
    *,
    before: date | None = None,
) -> list[dict[str, Any]]:
    """The last `per_pair` order days of each (supplier_id, location) and currency, newest
    first: supplier_id, location, currency, order_date, value, line_count. One query; the
    window function and row-value IN work on PostgreSQL and SQLite (3.25+)."""
    if not pairs:
        return []
    line_count = (
        select(func.count(OrderLine.id))
        .where(OrderLine.purchase_order_id == PurchaseOrder.id)
        .correlate(PurchaseOrder)
        .scalar_subquery()
    )
    per_order = select(
        PurchaseOrder.supplier_id,
        PurchaseOrder.location,
        PurchaseOrder.currency,
        PurchaseOrder.order_date,
        PurchaseOrder.value,
        line_count.label("line_count"),
    ).where(
        tuple_(PurchaseOrder.supplier_id, PurchaseOrder.location).in_(pairs),
        PurchaseOrder.status.in_([status.value for status in ordered]),
    )
    if before is not None:
        per_order = per_order.where(PurchaseOrder.order_date < before)
    orders = per_order.subquery()
    keys = (orders.c.supplier_id, orders.c.location, orders.c.currency)
    per_day = (
        select(
            *keys,
            orders.c.order_date,
            func.sum(orders.c.value).label("value"),
            func.sum(orders.c.line_count).label("line_count"),
            func.row_number()
            .over(partition_by=keys, order_by=orders.c.order_date.desc())
            .label("recency"),
        )
        .group_by(*keys, orders.c.order_date)
        .subquery()
    )
    rows = session.execute(
        select(per_day)
        .where(per_day.c.recency <= per_pair)
        .order_by(per_day.c.supplier_id, per_day.c.location, per_day.c.recency)
    )
    names = ("supplier_id", "location", "currency", "order_date", "value", "line_count")
    return [{name: row[name] for name in names} for row in rows.mappings()]
