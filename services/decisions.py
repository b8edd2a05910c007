"""Decide an order, from any channel (review page, CLI): the one entry point they call.

The rules themselves live in `services.deciding.decide` (one transaction, row lock,
audit); this use case adds what comes from the configuration (who is an administrator)
and the sentences a person reads about an order's decisions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from approvals.policy import RoutingPolicy
from domain.actors import Actor
from services.deciding import DecisionOutcome, Outcome, decide
from storage.models import AuditRecord, Decision
from storage.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class DecideOrder:
    """A person's decision as a channel hands it over."""

    po_key: str
    outcome: Outcome
    person: str
    channel: str
    comment: str = ""
    quantities: Mapping[str, Decimal] = field(default_factory=dict)
    in_place_of_approver: bool = False


def decide_order(
    uow_factory: Callable[[], UnitOfWork], policy: RoutingPolicy, command: DecideOrder
) -> DecisionOutcome:
    """Apply the decision once, or raise why not (AlreadyDecided, NotYourDecision,
    NotAnAdministrator, InvalidDecision, KeyError for an unknown order)."""
    return decide(
        uow_factory,
        command.po_key,
        command.outcome,
        Actor(command.person, command.channel),
        command.comment.strip(),
        dict(command.quantities),
        in_place_of_approver=command.in_place_of_approver,
        administrators=tuple(policy.administrators),
    )


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
