"""The sentences a person reads about an order's decisions on the review page.

Deciding itself is `services.decisions`; these only describe what the audit holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from storage.models import AuditRecord, Decision

_CHANNELS = {
    "review-page": "the review page",
    "cli": "the command line",
    "prefect-ui": "the Prefect UI form",
}


@dataclass(frozen=True)
class DecisionView:
    """One person's decision as every surface shows it: who, when, through which channel,
    their comment, and the quantities they set (sku -> (before, approved))."""

    outcome: str
    decided_by: str
    decided_at: datetime
    channel: str
    comment: str
    quantities: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def channel_words(self) -> str:
        return _CHANNELS.get(self.channel, self.channel)

    @property
    def sentence(self) -> str:
        """'approved by ann@corp.test on 25 Nov 2026 at 14:02 UTC (through the review
        page), with SKU-1 10 -> 20; comment: "..."'."""
        text = (
            f"{self.outcome.replace('_', ' ')} by {self.decided_by} on "
            f"{_utc(self.decided_at):%d %b %Y at %H:%M} UTC (through {self.channel_words})"
        )
        if self.quantities:
            text += ", quantities " + ", ".join(
                f"{sku} {before} -> {after}" for sku, (before, after) in self.quantities.items()
            )
        if self.comment:
            text += f'; comment: "{self.comment}"'
        return text

    def as_json(self) -> dict[str, object]:
        return {
            "outcome": self.outcome,
            "decided_by": self.decided_by,
            "decided_at": _utc(self.decided_at).isoformat(),
            "channel": self.channel,
            "comment": self.comment,
            "quantities": {sku: {"before": b, "approved": a}
                           for sku, (b, a) in self.quantities.items()},
        }  # fmt: skip


def decision_view(decision: Decision, trail: Sequence[AuditRecord]) -> DecisionView:
    """The decision with the quantities its audit record says the person set."""
    quantities: dict[str, tuple[str, str]] = {}
    for record in trail:
        details = record.details or {}
        if record.actor.lower() == decision.decided_by.lower() and "quantities" in details:
            for sku, change in dict(details["quantities"]).items():
                if isinstance(change, dict) and "approved" in change:
                    before = str(change.get("before", change.get("proposed", "")))
                    quantities[str(sku)] = (_qty(before), _qty(str(change["approved"])))
    return DecisionView(
        outcome=decision.outcome,
        decided_by=decision.decided_by,
        decided_at=_utc(decision.decided_at),
        channel=decision.channel,
        comment=decision.comment or "",
        quantities=quantities,
    )


def _qty(text: str) -> str:
    try:
        return f"{Decimal(text).normalize():f}"
    except ArithmeticError:
        return text


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
