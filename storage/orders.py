"""Purchase orders, their lines and flags, state changes with audit, and submission claims."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session, selectinload

from domain.actors import Actor, utcnow
from domain.lifecycle import (
    AWAITING_DECISION,
    ORDERED,
    OrderStatus,
    StateConflict,
    check_transition,
)
from storage.audit_log import append_audit
from storage.models import (
    AuditRecord,
    Decision,
    OrderLine,
    PurchaseOrder,
    ReviewFlag,
)
from storage.order_reads import OrderReads
from storage.submissions import SubmissionClaims

__all__ = ["ORDERED", "Actor", "OrderRepository", "StateConflict", "utcnow"]


class OrderRepository(OrderReads, SubmissionClaims):
    """Orders, their state changes (each with its audit record) and the reads around them;
    the reads come from `OrderReads`, the ERP submission claims from `SubmissionClaims`."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, po_key: str) -> PurchaseOrder | None:
        return self.session.scalar(
            select(PurchaseOrder)
            .where(PurchaseOrder.po_key == po_key)
            .options(selectinload(PurchaseOrder.lines), selectinload(PurchaseOrder.flags))
        )

    def lock(self, po_key: str) -> PurchaseOrder | None:
        """Read an order with its lines and hold a row lock until the transaction ends.

        On PostgreSQL concurrent deciders queue here and each sees the committed result of
        the one before. SQLite has no FOR UPDATE: a no-op write takes its single writer
        lock first (waiting out the busy timeout), so the read after it is fresh too and a
        loser gets "already decided" instead of "database is locked".
        """
        if self.session.get_bind().dialect.name == "sqlite":
            self.session.execute(
                update(PurchaseOrder)
                .where(PurchaseOrder.po_key == po_key)
                .values(updated_at=PurchaseOrder.updated_at)
                .execution_options(synchronize_session=False)
            )
        return self.session.scalar(
            select(PurchaseOrder)
            .where(PurchaseOrder.po_key == po_key)
            .options(selectinload(PurchaseOrder.lines))
            .with_for_update(of=PurchaseOrder)
            .execution_options(populate_existing=True)
        )

    def decisions_on(self, purchase_order_id: int) -> list[Decision]:
        """Every verdict recorded on an order, oldest first."""
        return list(
            self.session.scalars(
                select(Decision)
                .where(Decision.purchase_order_id == purchase_order_id)
                .order_by(Decision.id)
                .execution_options(populate_existing=True)
            )
        )

    def withdraw_decisions(self, decisions: Sequence[Decision]) -> None:
        """Remove verdicts that no longer hold (an approval of quantities since changed).

        The audit trail keeps them: the caller notes the withdrawal in the same transaction.
        """
        for decision in decisions:
            self.session.delete(decision)
        self.session.flush()

    def note(
        self,
        po_key: str,
        action: str,
        actor: Actor,
        reason: str = "",
        details: Mapping[str, Any] | None = None,
    ) -> None:
        """Audit something that happened to an order without changing its state."""
        self._audit(po_key, action, None, None, actor, reason, details)

    def advance_escalation(
        self,
        po_key: str,
        expected: str | None,
        stage: str,
        actor: Actor,
        at: datetime,
        details: Mapping[str, Any] | None = None,
    ) -> bool:
        """Move deadline handling on by one stage, only from the stage the caller saw.

        Like `transition`, a conditional update: two overlapping runs cannot both take a
        step, and an order decided in the meantime is left alone. Audited.
        """
        same_stage = (
            PurchaseOrder.escalation_stage.is_(None)
            if expected is None
            else PurchaseOrder.escalation_stage == expected
        )
        result = self.session.execute(
            update(PurchaseOrder)
            .where(
                PurchaseOrder.po_key == po_key,
                PurchaseOrder.status.in_([s.value for s in AWAITING_DECISION]),
                same_stage,
            )
            .values(escalation_stage=stage, escalation_at=at)
            .execution_options(synchronize_session=False)
        )
        assert isinstance(result, CursorResult)
        if result.rowcount != 1:
            return False
        trail = {"from_stage": expected, "stage": stage, **(details or {})}
        self._audit(po_key, "deadline", None, None, actor, f"decision deadline: {stage}", trail)
        return True

    def add_proposal(
        self,
        run_id: str,
        order: Mapping[str, Any],
        lines: Sequence[Mapping[str, Any]],
        flags: Sequence[Mapping[str, Any]],
        actor: Actor,
    ) -> PurchaseOrder:
        """Store a new order in state `proposed`, with its lines, flags and an audit record."""
        now = utcnow()
        po = PurchaseOrder(
            run_id=run_id,
            status=OrderStatus.PROPOSED.value,
            created_at=now,
            updated_at=now,
            **order,
        )
        po.lines = [OrderLine(**line) for line in lines]
        po.flags = [ReviewFlag(**flag) for flag in flags]
        self.session.add(po)
        self.session.flush()
        self._audit(po.po_key, "propose", None, OrderStatus.PROPOSED.value, actor, "", None)
        return po

    def transition(
        self,
        po_key: str,
        target: OrderStatus,
        actor: Actor,
        reason: str = "",
        details: Mapping[str, Any] | None = None,
    ) -> OrderStatus:
        """Move an order to `target` with a conditional update, and audit it.

        The UPDATE only matches while the order is still in the state we read, so two
        approvers (or one double click) racing on the same order produce exactly one
        change; the loser gets `StateConflict` instead of silently overwriting.
        """
        current = self.session.scalar(
            select(PurchaseOrder.status).where(PurchaseOrder.po_key == po_key)
        )
        if current is None:
            raise KeyError(f"no purchase order {po_key}")
        source, destination = check_transition(current, target)
        result = self.session.execute(
            update(PurchaseOrder)
            .where(PurchaseOrder.po_key == po_key, PurchaseOrder.status == source.value)
            .values(status=destination.value, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        assert isinstance(result, CursorResult)
        if result.rowcount != 1:
            raise StateConflict(f"purchase order {po_key} was changed by someone else")
        self._audit(po_key, "transition", source.value, destination.value, actor, reason, details)
        return source

    def record_decision(
        self, po_key: str, outcome: str, actor: Actor, comment: str = ""
    ) -> Decision:
        """Keep the verdict on an order (by the rules or a person) beside its audit trail."""
        po_id = self.session.scalar(select(PurchaseOrder.id).where(PurchaseOrder.po_key == po_key))
        if po_id is None:
            raise KeyError(f"no purchase order {po_key}")
        decision = Decision(
            purchase_order_id=po_id,
            outcome=outcome,
            decided_by=actor.name,
            channel=actor.channel,
            comment=comment,
            decided_at=utcnow(),
        )
        self.session.add(decision)
        self.session.flush()
        return decision

    def audit_trail(self, po_key: str) -> list[AuditRecord]:
        return list(
            self.session.scalars(
                select(AuditRecord).where(AuditRecord.entity_key == po_key).order_by(AuditRecord.id)
            )
        )

    def _audit(
        self,
        po_key: str,
        action: str,
        from_state: str | None,
        to_state: str | None,
        actor: Actor,
        reason: str,
        details: Mapping[str, Any] | None,
    ) -> None:
        append_audit(self.session, entity="purchase_order", entity_key=po_key, action=action,
                     actor=actor, reason=reason, from_state=from_state, to_state=to_state,
                     details=details)  # fmt: skip
