"""Purchase orders, their lines and flags, the decisions on them, their submission to the
ERP and the audit trail of every change."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, Money, Quantity


class PurchaseOrder(Base):
    """A proposed purchase order; `po_key` is its idempotency key everywhere outside."""

    __tablename__ = "purchase_orders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    po_key: Mapped[str] = mapped_column(String(96), unique=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id"), index=True)
    supplier_id: Mapped[str] = mapped_column(String(64))
    # The name as the night's extract gave it (migration 0005): the review page and the
    # e-mails name the supplier a buyer knows, long after the extract is gone.
    supplier_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    location: Mapped[str] = mapped_column(String(64))
    order_date: Mapped[date] = mapped_column(Date)
    expected_delivery: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(8))
    value: Mapped[Decimal] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(32), index=True)
    # The rollout mode it was made in (migration 0011): shadow, review-all or live.
    rollout_mode: Mapped[str] = mapped_column(String(16), default="live", server_default="live")
    approver: Mapped[str | None] = mapped_column(String(255), nullable=True)
    # What routing decided when the order was proposed (migration 0002): kept on the
    # order so a later change of the config never re-routes an order already waiting.
    routing_tier: Mapped[str | None] = mapped_column(String(64), nullable=True)
    required_approvals: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    second_approver: Mapped[str | None] = mapped_column(String(255), nullable=True)
    deputy: Mapped[str | None] = mapped_column(String(255), nullable=True)
    decision_due_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True, index=True
    )
    # Deadline handling: None, "reminded", "escalated", "held" (see approvals.escalation).
    escalation_stage: Mapped[str | None] = mapped_column(String(16), nullable=True)
    escalation_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # When the review e-mail(s) for this order were queued; None = its approvers still
    # have to be told (a run e-mails every waiting order not yet notified, not only its own).
    review_notified_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="purchase_order", order_by="OrderLine.id", cascade="all, delete-orphan"
    )
    flags: Mapped[list[ReviewFlag]] = relationship(
        back_populates="purchase_order", order_by="ReviewFlag.id", cascade="all, delete-orphan"
    )


class OrderLine(Base):
    """One item on a purchase order, with the numbers that explain its quantity."""

    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    purchase_order_id: Mapped[int] = mapped_column(
        ForeignKey("purchase_orders.id", ondelete="CASCADE"), index=True
    )
    sku: Mapped[str] = mapped_column(String(64))
    location: Mapped[str] = mapped_column(String(64))
    proposed_quantity: Mapped[Decimal] = mapped_column(Quantity)
    # Kept beside the proposal so the value a person adds can be measured later.
    approved_quantity: Mapped[Decimal | None] = mapped_column(Quantity, nullable=True)
    unit_cost: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    line_value: Mapped[Decimal] = mapped_column(Money)
    explanation: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)

    purchase_order: Mapped[PurchaseOrder] = relationship(back_populates="lines")


class ReviewFlag(Base):
    """Why a person must look at an order: a reason code, a sentence and the money at stake."""

    __tablename__ = "review_flags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    purchase_order_id: Mapped[int] = mapped_column(
        ForeignKey("purchase_orders.id", ondelete="CASCADE"), index=True
    )
    sku: Mapped[str | None] = mapped_column(String(64), nullable=True)
    location: Mapped[str | None] = mapped_column(String(64), nullable=True)
    code: Mapped[str] = mapped_column(String(48), index=True)
    severity: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)
    money_at_stake: Mapped[Decimal] = mapped_column(Money)

    purchase_order: Mapped[PurchaseOrder] = relationship(back_populates="flags")


class Decision(Base):
    """A person's (or the rules') verdict on an order; at most one final one per order.

    One person decides an order at most once (unique per order and person), so an order
    that needs two approvals can never count the same approver twice, whatever the code.
    """

    __tablename__ = "decisions"
    __table_args__ = (
        UniqueConstraint("purchase_order_id", "decided_by", name="uq_decisions_order_person"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    purchase_order_id: Mapped[int] = mapped_column(
        ForeignKey("purchase_orders.id", ondelete="CASCADE"), index=True
    )
    outcome: Mapped[str] = mapped_column(String(16))
    decided_by: Mapped[str] = mapped_column(String(255))
    channel: Mapped[str] = mapped_column(String(32))
    comment: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Submission(Base):
    """The exactly-once guard: a unique row per idempotency key, claimed before the ERP call."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    po_key: Mapped[str] = mapped_column(String(96), unique=True)
    adapter: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    external_ref: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AuditRecord(Base):
    """Append-only history of every state change: who, when, through what, what and why.

    The migration adds database triggers that refuse UPDATE and DELETE on this table, so
    the guarantee does not depend on every code path behaving.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(255))
    channel: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(32))
    entity_key: Mapped[str] = mapped_column(String(96), index=True)
    action: Mapped[str] = mapped_column(String(48))
    from_state: Mapped[str | None] = mapped_column(String(32), nullable=True)
    to_state: Mapped[str | None] = mapped_column(String(32), nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
