"""What the value report reads of the night-by-night records: every proposed line with
its order, category and the numbers behind it; which orders went to a person; the
decisions; and the runs with the extract each one read.

Plain rows out (Decimal as stored): `services.value_facts` turns them into frames.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from domain.lifecycle import OrderStatus
from storage.models import AuditRecord, Decision, Forecast, OrderLine, PurchaseOrder, Run


def proposed_lines(session: Session, since: date, until: date) -> list[dict[str, Any]]:
    """One row per order line of orders dated in [since, until], with its order's facts
    and the category the night's forecast recorded for the item-location. Orders made
    in shadow mode are left out: nothing was placed, and the report's shadow section
    compares them with the buyers' orders instead."""
    rows = session.execute(
        select(
            Run.as_of,
            PurchaseOrder.run_id,
            PurchaseOrder.po_key,
            PurchaseOrder.status,
            PurchaseOrder.order_date,
            PurchaseOrder.supplier_id,
            PurchaseOrder.location,
            PurchaseOrder.currency,
            OrderLine.sku,
            OrderLine.proposed_quantity,
            OrderLine.approved_quantity,
            OrderLine.unit_cost,
            OrderLine.line_value,
            OrderLine.details,
            Forecast.category,
        )
        .join(PurchaseOrder, OrderLine.purchase_order_id == PurchaseOrder.id)
        .join(Run, Run.id == PurchaseOrder.run_id)
        .outerjoin(
            Forecast,
            and_(
                Forecast.run_id == PurchaseOrder.run_id,
                Forecast.sku == OrderLine.sku,
                Forecast.location == OrderLine.location,
            ),
        )
        .where(
            PurchaseOrder.order_date >= since,
            PurchaseOrder.order_date <= until,
            PurchaseOrder.status != OrderStatus.SHADOW.value,
        )
        .order_by(PurchaseOrder.order_date, PurchaseOrder.po_key, OrderLine.id)
    )
    return [dict(row._mapping) for row in rows]


def first_states(session: Session, po_keys: list[str]) -> dict[str, str]:
    """The state each order was proposed into (auto_approved or pending_review), read
    from the audit log: an order's status today says where it went, not whether a person
    was asked."""
    found: dict[str, str] = {}
    for start in range(0, len(po_keys), 500):
        chunk = po_keys[start : start + 500]
        rows = session.execute(
            select(AuditRecord.entity_key, AuditRecord.to_state)
            .where(
                AuditRecord.entity == "purchase_order",
                AuditRecord.entity_key.in_(chunk),
                AuditRecord.from_state == "proposed",
            )
            .order_by(AuditRecord.id)
        )
        for key, state in rows:
            found.setdefault(str(key), str(state))
    return found


def decisions_on(session: Session, po_keys: list[str]) -> list[dict[str, Any]]:
    """Every decision taken on these orders: by whom, through what, when."""
    rows: list[dict[str, Any]] = []
    for start in range(0, len(po_keys), 500):
        chunk = po_keys[start : start + 500]
        rows += [
            dict(row._mapping)
            for row in session.execute(
                select(
                    PurchaseOrder.po_key,
                    Decision.outcome,
                    Decision.decided_by,
                    Decision.channel,
                    Decision.decided_at,
                )
                .join(PurchaseOrder, PurchaseOrder.id == Decision.purchase_order_id)
                .where(PurchaseOrder.po_key.in_(chunk))
            )
        ]
    return rows


def nights(session: Session, since: date) -> list[dict[str, Any]]:
    """The nightly runs since `since` (not monitoring or other side runs), with the
    extract each read, oldest first."""
    rows = session.execute(
        select(Run.id, Run.as_of, Run.source, Run.status)
        .where(Run.as_of >= since, Run.source != "monitoring")
        .order_by(Run.as_of, Run.started_at)
    )
    return [dict(row._mapping) for row in rows]
