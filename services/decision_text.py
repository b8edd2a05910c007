"""The sentences a person reads about an order's decisions on the review page.

Deciding itself is `services.decisions`; these only describe what the audit holds.
"""

from __future__ import annotations

from datetime import UTC, datetime

from storage.models import AuditRecord, Decision


def decision_sentence(decision: Decision) -> str:
    """'approved by ann@corp.test on 25 Nov 2026 at 14:02 UTC (through the review page)'."""
    channel = {"review-page": "the review page", "cli": "the command line"}.get(
        decision.channel, decision.channel
    )
    return (
        f"{decision.outcome.replace('_', ' ')} by {decision.decided_by} on "
        f"{_utc(decision.decided_at):%d %b %Y at %H:%M} UTC (through {channel})"
    )


def withdrawal_sentence(po_key: str, record: AuditRecord | None) -> str:
    """'Purchase order K was withdrawn on 01 Dec 2026 at 07:15 UTC by it.admin@corp.test
    (rolled back: why).', from the audit record of the rollback's first change to it."""
    if record is None:
        return f"Purchase order {po_key} was withdrawn."
    return (
        f"Purchase order {po_key} was withdrawn on {_utc(record.at):%d %b %Y at %H:%M} UTC "
        f"by {record.actor} ({record.reason})."
    )


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
