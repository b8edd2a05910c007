"""The product's own order lines that may not be in the extract yet (for the position).

Kept apart from the order repository: it is read once per run by the plan stage, and it
answers one question, "what have we ordered (or are about to) that the ERP may not show?"
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.lifecycle import OrderStatus
from storage.models import OrderLine, PurchaseOrder, Submission

# Orders that will reach, or have reached, the ERP; not rejected, expired or failed, nor
# withdrawn or cancelled by a rollback. One whose cancellation is still under way counts:
# until the ERP says it is cancelled its goods may come, and buying them again on a rerun
# would be the duplicate a rollback must never cause.
ALIVE = (
    OrderStatus.PROPOSED,
    OrderStatus.AUTO_APPROVED,
    OrderStatus.PENDING_REVIEW,
    OrderStatus.APPROVED,
    OrderStatus.SUBMITTING,
    OrderStatus.SUBMITTED,
    OrderStatus.CONFIRMED,
    OrderStatus.CANCELLING,
)
WAITING = (OrderStatus.PROPOSED, OrderStatus.PENDING_REVIEW, OrderStatus.APPROVED,
           OrderStatus.AUTO_APPROVED, OrderStatus.SUBMITTING)  # fmt: skip
# How far back to look: an order older than this has long been delivered or is in the
# ERP's open orders; the bound keeps the query small on a database of many years.
LOOKBACK_DAYS = 400


def own_order_lines(session: Session, as_of: date) -> list[dict[str, Any]]:
    """Lines of alive orders dated up to `as_of` (purchasing.position.OWN_ORDER_COLUMNS).

    The quantity is what a buyer approved where they changed it, else the proposal; a
    line set to zero orders nothing. `waiting` is true until the order reached the ERP.
    """
    quantity = func.coalesce(OrderLine.approved_quantity, OrderLine.proposed_quantity)
    rows = session.execute(
        select(
            PurchaseOrder.po_key,
            Submission.external_ref,
            OrderLine.sku,
            OrderLine.location,
            PurchaseOrder.supplier_id,
            quantity.label("quantity"),
            PurchaseOrder.expected_delivery,
            PurchaseOrder.status,
        )
        .join(PurchaseOrder, OrderLine.purchase_order_id == PurchaseOrder.id)
        .outerjoin(Submission, Submission.po_key == PurchaseOrder.po_key)
        .where(
            PurchaseOrder.status.in_([s.value for s in ALIVE]),
            PurchaseOrder.order_date <= as_of,
            PurchaseOrder.order_date > as_of - timedelta(days=LOOKBACK_DAYS),
            quantity > 0,
        )
    )
    waiting = {s.value for s in WAITING}
    return [
        {
            "po_key": row.po_key,
            "external_ref": row.external_ref or "",
            "sku": row.sku,
            "location": row.location,
            "supplier_id": row.supplier_id,
            "quantity": float(row.quantity),
            "expected_delivery": row.expected_delivery,
            "waiting": row.status in waiting,
        }
        for row in rows
    ]
