"""SQLAlchemy tables: what a run read, forecast, proposed, decided and submitted.

The tables are the product's memory between nights: a re-run must find the orders it
already proposed and submitted, a buyer's decision must outlive the process that asked
for it, and an auditor must be able to trace an order line back to the run that made it.
Money is `Numeric` (never float) so totals in the database match the ERP to the cent.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Explicit constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Wide enough for anything the data-quality gate lets through (quantities and costs are
# bounded there, docs/data-quality.md "Bounds"): a line of 1.5e9 units at 1e6 each still
# fits, so a NUMERIC overflow can never stop a night (migration 0006 widened 14 -> 24/20).
Money = Numeric(24, 2)
Quantity = Numeric(20, 3)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Run(Base):
    """One nightly run: its inputs, its outcome and its JSON summary."""

    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    as_of: Mapped[date] = mapped_column(Date, index=True)
    source: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text, default="")
    flow_run_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class InputFile(Base):
    """Per-file row counts of a run; the night-by-night quarantine trend is a query on it."""

    __tablename__ = "input_files"
    __table_args__ = (UniqueConstraint("run_id", "file", name="uq_input_files_run_file"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    file: Mapped[str] = mapped_column(String(255))
    read: Mapped[int] = mapped_column(Integer)
    accepted: Mapped[int] = mapped_column(Integer)
    repaired: Mapped[int] = mapped_column(Integer)
    quarantined: Mapped[int] = mapped_column(Integer)


class RowDisposition(Base):
    """An input row that was repaired or quarantined, with the raw values as read.

    Accepted rows are only counted (in `input_files`): storing a million clean rows a
    night would cost more than it tells anyone.
    """

    __tablename__ = "row_dispositions"
    __table_args__ = (Index("ix_row_dispositions_run_disposition", "run_id", "disposition"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    file: Mapped[str] = mapped_column(String(255))
    line: Mapped[int] = mapped_column(Integer)
    disposition: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[str] = mapped_column(Text)
    field: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    sku: Mapped[str] = mapped_column(String(64), default="")
    location: Mapped[str] = mapped_column(String(64), default="")
    raw: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class Forecast(Base):
    """Why a quantity was proposed: the demand class, the model and the distribution."""

    __tablename__ = "forecasts"
    __table_args__ = (UniqueConstraint("run_id", "sku", "location", name="uq_forecasts_series"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(String(64))
    location: Mapped[str] = mapped_column(String(64))
    demand_class: Mapped[str] = mapped_column(String(16))
    model: Mapped[str] = mapped_column(String(64))
    fallback: Mapped[str | None] = mapped_column(Text, nullable=True)
    history_periods: Mapped[int] = mapped_column(Integer)
    mean_per_period: Mapped[float]
    protection_periods: Mapped[float]
    demand_mean: Mapped[float]
    demand_std: Mapped[float]
    service_level: Mapped[float]
    demand_quantile: Mapped[float]
    fit_rmse: Mapped[float | None] = mapped_column(nullable=True)
    # Why this model: its rolling-origin errors, the candidates it beat, and what it forecast.
    backtest_rmsse: Mapped[float | None] = mapped_column(nullable=True)
    backtest_mase: Mapped[float | None] = mapped_column(nullable=True)
    bias: Mapped[float | None] = mapped_column(nullable=True)
    candidates: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    forecast_path: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    # What it was fitted on, up to the period before the run (forecast_path starts with
    # the period after it), and the latest demand against the forecast's expectation.
    history_tail: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    recent_days: Mapped[float | None] = mapped_column(nullable=True)
    recent_demand: Mapped[float | None] = mapped_column(nullable=True)
    recent_expected: Mapped[float | None] = mapped_column(nullable=True)
    recent_std: Mapped[float | None] = mapped_column(nullable=True)
    # Days of history capped as one-off spikes before fitting, and the cap.
    capped_periods: Mapped[int | None] = mapped_column(Integer, nullable=True)
    demand_cap: Mapped[float | None] = mapped_column(nullable=True)
    # The segments monitoring compares accuracy by (migration 0007).
    supplier_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    category: Mapped[str | None] = mapped_column(String(128), nullable=True)


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


class Notification(Base):
    """An e-mail sent (or dropped in the outbox), so a re-run does not send it again."""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("dedupe_key", name="uq_notifications_dedupe_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id"), index=True)
    dedupe_key: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(Text)
    location: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class QueuedMail(Base):
    """An e-mail written down before it is sent: kept until a server took it, retried by
    every later run meanwhile, so an SMTP outage delays mail but never loses it."""

    __tablename__ = "mail_queue"
    __table_args__ = (UniqueConstraint("dedupe_key", name="uq_mail_queue_dedupe_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dedupe_key: Mapped[str] = mapped_column(String(255))
    run_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    kind: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(Text)
    message: Mapped[str] = mapped_column(Text)  # the whole RFC 5322 message, as text
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_attempt_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True, index=True
    )
    location: Mapped[str | None] = mapped_column(Text, nullable=True)


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


class RunLock(Base):
    """Who holds a named lock (the nightly run): the SQLite stand-in for an advisory lock.

    On PostgreSQL the lock is `pg_try_advisory_lock`, released by the server when the
    holder's connection dies; SQLite has nothing like it, so a row records the holder's
    host and process and a later run takes the lock over only from a process that is gone.
    """

    __tablename__ = "run_locks"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    acquired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
class MonitoringResult(Base):
    """One segment's forecast accuracy on one monitoring night, beside its own baseline.

    Kept per night so a drift can be traced back, and a segment's accuracy followed over
    months (the Prefect artifacts show only the latest).
    """

    __tablename__ = "monitoring_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    as_of: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(32))
    segment: Mapped[str] = mapped_column(String(128))
    series: Mapped[int] = mapped_column(Integer)
    forecasts: Mapped[int] = mapped_column(Integer)
    mase: Mapped[float | None] = mapped_column(nullable=True)
    rmsse: Mapped[float | None] = mapped_column(nullable=True)
    bias: Mapped[float | None] = mapped_column(nullable=True)
    coverage: Mapped[float | None] = mapped_column(nullable=True)
    target: Mapped[float | None] = mapped_column(nullable=True)
    baseline_rmsse: Mapped[float | None] = mapped_column(nullable=True)
    baseline_bias: Mapped[float | None] = mapped_column(nullable=True)
    drift: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(Text, default="")
