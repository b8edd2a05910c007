"""Parameter changes the product proposes after learning from buyers' changes (issue 23).

A proposal is only a suggestion until an administrator accepts it: the nightly run reads
the accepted ones (`status = 'accepted'`) and nothing else, so the product never changes
a parameter by itself. Who decided and when is on the row and in the audit log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class ParameterProposal(Base):
    """One proposed change of one parameter for one scope (item-location, supplier,
    category), the evidence behind it, and the administrator's decision."""

    __tablename__ = "parameter_proposals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # "item_location" (key "SKU|LOCATION"), "supplier" or "category".
    scope: Mapped[str] = mapped_column(String(16))
    scope_key: Mapped[str] = mapped_column(String(160), index=True)
    parameter: Mapped[str] = mapped_column(String(48))
    current_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    proposed_value: Mapped[float] = mapped_column(Float)
    direction: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # proposed -> accepted | rejected; only an administrator moves it (services.learning).
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(255), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
