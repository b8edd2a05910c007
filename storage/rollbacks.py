"""Rollbacks of a night: the record of each, its orders' outcomes, and the questions the
rollback use case asks about a run's orders. Every write joins the caller's transaction:
an order's state change, its audit record and its outcome here commit together."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.actors import Actor
from domain.lifecycle import OrderStatus
from storage.audit_log import append_audit
from storage.models import (
    AuditRecord,
    PurchaseOrder,
    Rollback,
    RollbackOrder,
    Submission,
)

#: The audit action `services.erp_approvals` notes when an order goes to the ERP's approvers.
HANDED_TO_ERP = "handed_to_erp"


class RollbackRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, run_id: str) -> Rollback | None:
        return self.session.scalar(
            select(Rollback)
            .where(Rollback.run_id == run_id)
            .execution_options(populate_existing=True)
        )

    def start(
        self, run_id: str, as_of: date, actor: Actor, reason: str, at: datetime
    ) -> Rollback | None:
        """Record the rollback of `run_id`; None when one is recorded already (the unique
        key decides between two administrators asking at the same moment)."""
        try:
            with self.session.begin_nested():
                self.session.execute(
                    insert(Rollback).values(
                        run_id=run_id, as_of=as_of, requested_by=actor.name,
                        channel=actor.channel, reason=reason, requested_at=at,
                    )
                )  # fmt: skip
        except IntegrityError:
            return None
        return self.get(run_id)

    def set_outcome(
        self, rollback: Rollback, po_key: str, outcome: str, detail: str, at: datetime
    ) -> None:
        row = self.session.scalar(
            select(RollbackOrder).where(
                RollbackOrder.rollback_id == rollback.id, RollbackOrder.po_key == po_key
            )
        )
        if row is None:
            row = RollbackOrder(rollback_id=rollback.id, po_key=po_key)
            self.session.add(row)
        row.outcome, row.detail, row.updated_at = outcome, detail, at
        self.session.flush()

    def outcomes(self, rollback: Rollback) -> list[RollbackOrder]:
        return list(
            self.session.scalars(
                select(RollbackOrder)
                .where(RollbackOrder.rollback_id == rollback.id)
                .order_by(RollbackOrder.po_key)
                .execution_options(populate_existing=True)
            )
        )

    def finish(self, rollback: Rollback, at: datetime) -> None:
        rollback.finished_at = at
        self.session.flush()

    def of_order(self, po_key: str) -> Rollback | None:
        """The rollback that took this order back, if any."""
        return self.session.scalar(
            select(Rollback)
            .join(RollbackOrder, RollbackOrder.rollback_id == Rollback.id)
            .where(RollbackOrder.po_key == po_key)
        )

    def count_for_night(self, as_of: date) -> int:
        """How many runs of the night `as_of` were rolled back."""
        return int(
            self.session.scalar(select(func.count(Rollback.id)).where(Rollback.as_of == as_of)) or 0
        )

    def run_orders(self, run_id: str) -> list[tuple[str, str, bool]]:
        """(po_key, status, handed to the ERP) of each order the run proposed. "Handed to
        the ERP": a submission was claimed for it, or it went to the ERP's approvers."""
        orders = list(
            self.session.execute(
                select(PurchaseOrder.po_key, PurchaseOrder.status)
                .where(PurchaseOrder.run_id == run_id)
                .order_by(PurchaseOrder.po_key)
            )
        )
        keys = [str(key) for key, _ in orders]
        claimed = set(
            self.session.scalars(select(Submission.po_key).where(Submission.po_key.in_(keys)))
        )
        handed = set(
            self.session.scalars(
                select(AuditRecord.entity_key).where(
                    AuditRecord.entity_key.in_(keys), AuditRecord.action == HANDED_TO_ERP
                )
            )
        )
        return [(str(k), str(s), k in claimed or k in handed) for k, s in orders]

    def routed_people(self, run_id: str) -> list[str]:
        """Everyone the run's orders were routed to (approver, second approver, deputy)."""
        rows = self.session.execute(
            select(
                PurchaseOrder.approver, PurchaseOrder.second_approver, PurchaseOrder.deputy
            ).where(PurchaseOrder.run_id == run_id)
        )
        return sorted({person for row in rows for person in row if person})

    def cancelling(self) -> list[str]:
        """Keys of orders whose ERP cancellation is claimed and not settled, oldest first."""
        return list(
            self.session.scalars(
                select(PurchaseOrder.po_key)
                .where(PurchaseOrder.status == OrderStatus.CANCELLING.value)
                .order_by(PurchaseOrder.id)
            )
        )

    def audit_run(
        self,
        run_id: str,
        action: str,
        actor: Actor,
        reason: str,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        """An audit record about the run as a whole (the rollback asked for, finished)."""
        append_audit(self.session, entity="run", entity_key=run_id, action=action, actor=actor,
                     reason=reason, details=details)  # fmt: skip
