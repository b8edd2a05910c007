"""Order history queries: a supplier's recent placed orders at a location (the yardstick
of an unusual order) and an item's recent order lines (the rules comparing with them).

An order split overnight into `<po_key>` and its review order `<po_key>-R` is one order
to the business, so supplier orders are summed per supplier, location, currency and order
date. Only placed orders count (`ORDERED`): a rejected or expired proposal is not what
the business usually buys.
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


def recent_item_lines(
    session: Session,
    keys: list[tuple[str, str]],
    ordered: Collection[OrderStatus],
    per_item: int = 5,
    *,
    before: date | None = None,
) -> list[dict[str, Any]]:
    """The last `per_item` lines of each (sku, location) among orders in `ordered`, newest
    first: sku, location, supplier_id, quantity (approved, else proposed), unit_cost,
    order_date. One query; window function and row-value IN as above."""
    if not keys:
        return []
    rank = (
        func.row_number()
        .over(
            partition_by=(OrderLine.sku, OrderLine.location),
            order_by=(PurchaseOrder.order_date.desc(), OrderLine.id.desc()),
        )
        .label("recency")
    )
    ranked = (
        select(
            OrderLine.sku,
            OrderLine.location,
            PurchaseOrder.supplier_id,
            func.coalesce(OrderLine.approved_quantity, OrderLine.proposed_quantity).label(
                "quantity"
            ),
            OrderLine.unit_cost,
            PurchaseOrder.order_date,
            rank,
        )
        .join(PurchaseOrder, OrderLine.purchase_order_id == PurchaseOrder.id)
        .where(
            tuple_(OrderLine.sku, OrderLine.location).in_(keys),
            PurchaseOrder.status.in_([status.value for status in ordered]),
        )
    )
    if before is not None:
        ranked = ranked.where(PurchaseOrder.order_date < before)
    window = ranked.subquery()
    rows = session.execute(
        select(window)
        .where(window.c.recency <= per_item)
        .order_by(window.c.sku, window.c.location, window.c.recency)
    )
    return [
        {name: row[name] for name in
         ("sku", "location", "supplier_id", "quantity", "unit_cost", "order_date")}
        for row in rows.mappings()
    ]  # fmt: skip
