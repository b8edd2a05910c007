"""A night rolled back: who asked, when, through which channel and why, and what became
of each of its orders (migration 0009).

One row per run: the unique key is what makes a second rollback of the same night find
the first and change nothing, even when two administrators ask at the same moment.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class Rollback(Base):
    __tablename__ = "rollbacks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id"), unique=True)
    # The night's date: a rerun of that night after a rollback gives its orders new keys
    # (purchasing.orders.po_key's revision counts the rollbacks of the night).
    as_of: Mapped[date] = mapped_column(Date, index=True)
    requested_by: Mapped[str] = mapped_column(String(255))
    channel: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Set once every order's outcome is known and the report is queued for e-mail; a
    # rollback interrupted before that is resumed by the next request for the same night.
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class RollbackOrder(Base):
    """One order's outcome in a rollback: withdrawn, cancelled, too_late, failed (the next
    run retries its cancellation), pending (cancellation under way) or unchanged."""

    __tablename__ = "rollback_orders"
    __table_args__ = (
        UniqueConstraint("rollback_id", "po_key", name="uq_rollback_orders_rollback_order"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rollback_id: Mapped[int] = mapped_column(
        ForeignKey("rollbacks.id", ondelete="CASCADE"), index=True
    )
    po_key: Mapped[str] = mapped_column(String(96), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
