"""Why a decision was refused: each says, in a sentence a person can act on, what to do."""

from __future__ import annotations

from datetime import datetime

from approvals.policy import person_key, same_person_in
from domain.actors import Actor
from domain.lifecycle import AWAITING_DECISION, OrderStatus
from storage.models import Decision, PurchaseOrder

#: An order a rollback took back (or is taking back): no decision may touch it.
_TAKEN_BACK = frozenset(
    {OrderStatus.WITHDRAWN.value, OrderStatus.CANCELLING.value, OrderStatus.CANCELLED.value}
)


class AlreadyDecided(RuntimeError):
    """The order no longer waits for this person's decision; says who decided what, when."""

    def __init__(
        self, po_key: str, status: str, by: str | None, outcome: str | None, at: datetime | None
    ) -> None:
        if status == OrderStatus.SHADOW.value:
            # Shadow mode: a record to compare with what buyers order, never an order.
            text = (
                f"purchase order {po_key} was made in shadow mode: it is only a record to "
                "compare with what the buyers order, and can never be approved or sent to "
                "the ERP"
            )
        elif status in _TAKEN_BACK:
            text = (
                f"purchase order {po_key} was withdrawn: its night was rolled back, so there "
                "is nothing to decide"
            )
        elif by is not None and outcome is not None:
            # Stored times are UTC; SQLite hands them back without a zone, hence the label.
            when = f" on {at:%d %b %Y at %H:%M} UTC" if at is not None else ""
            text = f"purchase order {po_key} was already {outcome} by {by}{when}"
        else:
            text = f"purchase order {po_key} no longer waits for a decision (it is {status})"
        super().__init__(text)
        self.po_key = po_key
        self.status = status
        self.decided_by = by
        self.outcome = outcome
        self.decided_at = at


class NotYourDecision(PermissionError):
    """The person is not among those the order was routed to; names who may decide it."""

    def __init__(self, po_key: str, actor: str, allowed: list[str]) -> None:
        super().__init__(
            f"purchase order {po_key} waits for {', '.join(allowed)}, not for {actor}; "
            "ask one of them, or an administrator to decide it in their place"
        )
        self.po_key = po_key
        self.actor = actor
        self.allowed = allowed


class NotAnAdministrator(PermissionError):
    """Deciding in place of the routed approvers is for the listed administrators only."""

    def __init__(self, actor: str) -> None:
        super().__init__(
            f"{actor} is not an administrator (approvals.administrators): only an "
            "administrator may decide in place of the routed approvers"
        )
        self.actor = actor


class InvalidDecision(ValueError):
    """The decision itself is malformed: unknown outcome, unknown sku, negative quantity."""


def refuse_if_decided(order: PurchaseOrder, earlier: list[Decision], actor: Actor) -> None:
    if OrderStatus(order.status) not in AWAITING_DECISION:
        last = earlier[-1] if earlier else None
        raise AlreadyDecided(
            order.po_key,
            order.status,
            last.decided_by if last else None,
            last.outcome if last else None,
            last.decided_at if last else None,
        )
    mine = next((d for d in earlier if person_key(d.decided_by) == actor.name), None)
    if mine is not None:
        raise AlreadyDecided(
            order.po_key, order.status, mine.decided_by, mine.outcome, mine.decided_at
        )


def routed_people(order: PurchaseOrder) -> list[str]:
    """Who may decide the order (approver, second approver, deputy), each once: the one
    answer the refusals, the review pages and the operator's views all ask for."""
    people = [order.approver, order.second_approver, order.deputy]
    return list(dict.fromkeys(p for p in people if p))


def refuse_if_not_routed(order: PurchaseOrder, actor: Actor) -> None:
    allowed = routed_people(order)
    if allowed and not same_person_in(actor.name, tuple(allowed)):
        raise NotYourDecision(order.po_key, actor.name, allowed)
