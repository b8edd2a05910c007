"""Purchase orders, their lines and flags, state changes with audit, and submission claims."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import CursorResult, func, insert, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from domain.actors import Actor, utcnow
from domain.lifecycle import (
    AWAITING_DECISION,
    ORDERED,
    READY_TO_SUBMIT,
    OrderStatus,
    StateConflict,
    check_transition,
)
from storage.models import (
    AuditRecord,
    Decision,
    OrderLine,
    PurchaseOrder,
    ReviewFlag,
    Submission,
)
from storage.order_history import recent_supplier_orders

__all__ = ["ORDERED", "Actor", "OrderRepository", "StateConflict", "utcnow"]


class OrderRepository:
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

    def waiting_for_decision(self) -> list[PurchaseOrder]:
        """Orders of any run still waiting for a person, earliest deadline first."""
        return list(
            self.session.scalars(
                select(PurchaseOrder)
                .where(PurchaseOrder.status.in_([s.value for s in AWAITING_DECISION]))
                .order_by(PurchaseOrder.decision_due_at, PurchaseOrder.id)
            )
        )

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

    def statuses(self, po_keys: Iterable[str]) -> dict[str, str]:
        """Status of each key already known, so a re-run never proposes the same order twice."""
        keys = list(po_keys)
        if not keys:
            return {}
        rows = self.session.execute(
            select(PurchaseOrder.po_key, PurchaseOrder.status).where(PurchaseOrder.po_key.in_(keys))
        )
        return {str(key): str(status) for key, status in rows}

    def recent_lines(
        self,
        keys: list[tuple[str, str]],
        per_item: int = 5,
        *,
        before: date | None = None,
    ) -> list[dict[str, Any]]:
        """The last `per_item` order lines of each (sku, location), newest first, in one query.

        quantity is what was approved where a person changed it, else what was proposed:
        the amount the business actually chose. Only orders that were placed or are on
        their way count (`ORDERED`): a rejected or expired proposal is not history.
        `before` keeps only orders dated earlier (tonight's own orders, on a re-run, are
        not their own history). The window
        function and row-value IN work on PostgreSQL and SQLite (3.25+).
        """
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
                PurchaseOrder.status.in_([status.value for status in ORDERED]),
            )
        )
        if before is not None:
            ranked = ranked.where(PurchaseOrder.order_date < before)
        window = ranked.subquery()
        rows = self.session.execute(
            select(window)
            .where(window.c.recency <= per_item)
            .order_by(window.c.sku, window.c.location, window.c.recency)
        )
        return [
            {name: row[name] for name in
             ("sku", "location", "supplier_id", "quantity", "unit_cost", "order_date")}
            for row in rows.mappings()
        ]  # fmt: skip

    def recent_orders(
        self, pairs: list[tuple[str, str]], per_pair: int = 8, *, before: date | None = None
    ) -> list[dict[str, Any]]:
        """The last `per_pair` placed orders of each (supplier_id, location), an order and
        its review order counted as one (`storage.order_history`)."""
        return recent_supplier_orders(self.session, pairs, ORDERED, per_pair, before=before)

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

    def ready_to_submit(self) -> list[PurchaseOrder]:
        """Approved orders of any run that have not reached the ERP yet, oldest first.

        `failed` is included: an ERP outage must not leave an approved order behind for
        ever; the idempotency key (and asking the ERP first) keeps the retry single.
        """
        statuses = [s.value for s in READY_TO_SUBMIT] + [
            OrderStatus.SUBMITTING.value,
            OrderStatus.FAILED.value,
        ]
        return list(
            self.session.scalars(
                select(PurchaseOrder)
                .where(PurchaseOrder.status.in_(statuses))
                .options(selectinload(PurchaseOrder.lines))
                .order_by(PurchaseOrder.id)
            )
        )

    def claim_submission(self, po_key: str, adapter: str) -> Submission:
        """Claim the right to send `po_key` to the ERP, or return the existing claim.

        The unique key on `submissions.po_key` makes the claim atomic across processes:
        whoever inserts first owns the submission; everybody else reads its state.
        """
        existing = self._submission(po_key)
        if existing is not None:
            return existing
        try:
            with self.session.begin_nested():
                self.session.execute(
                    insert(Submission).values(
                        po_key=po_key,
                        adapter=adapter,
                        status="claimed",
                        attempts=0,
                        claimed_at=utcnow(),
                    )
                )
        except IntegrityError:
            pass
        claimed = self._submission(po_key)
        assert claimed is not None
        return claimed

    def record_submission(
        self, submission: Submission, *, external_ref: str | None, error: str | None
    ) -> None:
        submission.attempts += 1
        if error is None:
            submission.status = "submitted"
            submission.external_ref = external_ref
            submission.submitted_at = utcnow()
            submission.error = None
        else:
            submission.status = "failed"
            submission.error = error
        self.session.flush()

    def external_refs(self, po_keys: Iterable[str]) -> dict[str, str]:
        """The ERP's reference of each submitted order, for the run's artifact."""
        keys = list(po_keys)
        if not keys:
            return {}
        rows = self.session.execute(
            select(Submission.po_key, Submission.external_ref).where(Submission.po_key.in_(keys))
        )
        return {str(key): str(ref or "") for key, ref in rows}

    def failing_submissions(self, min_attempts: int) -> list[Submission]:
        """Submissions still failing after at least `min_attempts` tries: a person must look."""
        return list(
            self.session.scalars(
                select(Submission)
                .where(Submission.status == "failed", Submission.attempts >= min_attempts)
                .order_by(Submission.id)
            )
        )

    def _submission(self, po_key: str) -> Submission | None:
        return self.session.scalar(
            select(Submission)
            .where(Submission.po_key == po_key)
            .execution_options(populate_existing=True)
        )

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
        self.session.add(
            AuditRecord(
                at=utcnow(),
                actor=actor.name,
                channel=actor.channel,
                entity="purchase_order",
                entity_key=po_key,
                action=action,
                from_state=from_state,
                to_state=to_state,
                reason=reason,
                details=dict(details) if details else None,
            )
        )
        self.session.flush()
