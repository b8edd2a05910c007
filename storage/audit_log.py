"""Appending to the audit log: the one way a repository writes an `AuditRecord`.

The log is append-only and every entity (an order, a run, a rollout scope, a parameter
proposal) is written the same way, so the who/when/why columns are filled in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from domain.actors import Actor, utcnow
from storage.models import AuditRecord


def append_audit(
    session: Session,
    *,
    entity: str,
    entity_key: str,
    action: str,
    actor: Actor,
    reason: str,
    from_state: str | None = None,
    to_state: str | None = None,
    details: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """One audit record, flushed so a later read in the same transaction sees it."""
    session.add(
        AuditRecord(
            at=at or utcnow(),
            actor=actor.name,
            channel=actor.channel,
            entity=entity,
            entity_key=entity_key,
            action=action,
            from_state=from_state,
            to_state=to_state,
            reason=reason,
            details=dict(details) if details else None,
        )
    )
    session.flush()
