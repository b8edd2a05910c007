"""A person's decision on a flagged order: applied once, recorded, audited, or refused.

This module is the one place an order is decided. Every channel (review page, CLI,
Prefect UI form) hands over a `DecideOrder` to `decide_order`, which adds what comes
from the configuration (who is an administrator) and calls `decide`; tests call
`decide` directly. Everything happens in one transaction: lock the order, check it
still waits for a decision, record the `Decision`, keep changed quantities beside the
proposal and, when the order is fully decided, move it through
`OrderRepository.transition` (which writes the audit record). Two approvers or one
double click therefore produce exactly one change and a clear `AlreadyDecided` for
everyone else.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal

from sqlalchemy.exc import IntegrityError

from approvals.policy import RoutingPolicy, person_key, same_person_in
from domain.actors import Actor
from domain.lifecycle import InvalidTransition, OrderStatus, StateConflict
from services.quantity_changes import change_details, changed_quantities
from services.refusals import (
    AlreadyDecided,
    InvalidDecision,
    NotAnAdministrator,
    NotYourDecision,
    refuse_if_decided,
    refuse_if_not_routed,
    routed_people,
)
from storage.models import Decision, PurchaseOrder
from storage.unit_of_work import UnitOfWork

__all__ = [
    "AlreadyDecided",
    "DecideOrder",
    "DecisionOutcome",
    "InvalidDecision",
    "NotAnAdministrator",
    "NotYourDecision",
    "Outcome",
    "decide",
    "decide_order",
]

Outcome = Literal["approve", "reject"]
_RECORDED = {"approve": "approved", "reject": "rejected"}


@dataclass(frozen=True)
class DecisionOutcome:
    po_key: str
    outcome: str
    status: OrderStatus
    decided_by: str
    decided_at: datetime
    approvals: int
    required_approvals: int
    changed_quantities: Mapping[str, Decimal] = field(default_factory=dict)
    restarted: bool = False  # earlier approvals were withdrawn: the quantities changed

    @property
    def final(self) -> bool:
        return self.status is not OrderStatus.PENDING_REVIEW


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


def decide(
    uow_factory: Callable[[], UnitOfWork],
    po_key: str,
    outcome: Outcome,
    actor: Actor,
    comment: str = "",
    quantities: Mapping[str, Decimal] | None = None,
    *,
    in_place_of_approver: bool = False,
    administrators: Collection[str] = (),
) -> DecisionOutcome:
    """Approve or reject `po_key` as `actor`; raise `AlreadyDecided` if it is too late.

    Only the people the order was routed to (approver, second approver, deputy) may
    decide it; anyone else gets `NotYourDecision`. An administrator (one of
    `administrators`) may decide in their place (`in_place_of_approver`), which the
    audit record says; anyone else asking to is refused. An order routed to no one
    (stored before routing existed) is open to any reviewer. E-mail addresses compare
    case-insensitively and are recorded in lower case, so one person is one approval.

    A quantity change on the second of two approvals restarts the approval: the first
    approver agreed to other quantities, so their approval is withdrawn (the audit keeps
    it) and they are asked again.
    """
    if outcome not in _RECORDED:
        raise InvalidDecision(f"a decision is 'approve' or 'reject', not {outcome!r}")
    actor = Actor(person_key(actor.name), actor.channel)
    if in_place_of_approver and not same_person_in(actor.name, tuple(administrators)):
        raise NotAnAdministrator(actor.name)
    with uow_factory() as uow:
        order = uow.orders.lock(po_key)
        if order is None:
            raise KeyError(f"no purchase order {po_key}")
        status_seen = order.status
        earlier = uow.orders.decisions_on(order.id)
        refuse_if_decided(order, earlier, actor)
        if not in_place_of_approver:
            refuse_if_not_routed(order, actor)
        changed = changed_quantities(order, quantities or {}) if outcome == "approve" else {}
        withdrawn = _restart_if_changed(uow, order, earlier, changed, actor)
        try:
            decision = uow.orders.record_decision(po_key, _RECORDED[outcome], actor, comment)
        except IntegrityError as error:
            # The unique (order, person) key caught a race the lock did not (SQLite).
            uow.rollback()
            raise AlreadyDecided(po_key, status_seen, actor.name, "decided", None) from error
        details = change_details(order, changed)
        for line in order.lines:
            if line.sku in changed:
                new = changed[line.sku]
                line.approved_quantity = None if new == line.proposed_quantity else new
        kept = [d for d in earlier if d.outcome == "approved" and d not in withdrawn]
        approvals = len(kept) + (outcome == "approve")
        required = max(order.required_approvals or 1, 1)
        details |= {"approvals": approvals, "required_approvals": required}
        if in_place_of_approver:
            details["in_place_of"] = routed_people(order)
        status = _apply(uow, order, outcome, actor, comment, details, approvals, required)
        uow.commit()
        return DecisionOutcome(
            po_key=po_key,
            outcome=decision.outcome,
            status=status,
            decided_by=actor.name,
            decided_at=decision.decided_at,
            approvals=approvals,
            required_approvals=required,
            changed_quantities=changed,
            restarted=bool(withdrawn),
        )


def _restart_if_changed(
    uow: UnitOfWork,
    order: PurchaseOrder,
    earlier: list[Decision],
    changed: Mapping[str, Decimal],
    actor: Actor,
) -> list[Decision]:
    """Withdraw earlier approvals when the quantities they agreed to change; audited."""
    approved = [d for d in earlier if d.outcome == "approved"]
    if not changed or not approved:
        return []
    trail = {
        "withdrawn": [
            {"by": d.decided_by, "at": d.decided_at.isoformat(), "channel": d.channel}
            for d in approved
        ],
        "quantities": {sku: str(value) for sku, value in changed.items()},
    }
    reason = "quantities changed after a first approval: the approval starts again"
    uow.orders.withdraw_decisions(approved)
    uow.orders.note(order.po_key, "approval_restarted", actor, reason, trail)
    uow.reviews.renotify(order.po_key)  # the earlier approver is e-mailed again
    return approved


def _apply(
    uow: UnitOfWork,
    order: PurchaseOrder,
    outcome: Outcome,
    actor: Actor,
    comment: str,
    details: dict[str, object],
    approvals: int,
    required: int,
) -> OrderStatus:
    if outcome == "approve" and approvals < required:
        # The first of two approvals: recorded and audited, the order keeps waiting for a
        # second, different person (the unique key on decisions guarantees "different").
        uow.orders.note(order.po_key, "approval", actor, comment, details)
        return OrderStatus.PENDING_REVIEW
    target = OrderStatus.APPROVED if outcome == "approve" else OrderStatus.REJECTED
    key, seen = order.po_key, order.status
    try:
        uow.orders.transition(key, target, actor, reason=comment, details=details)
    except (StateConflict, InvalidTransition) as error:
        # Someone else moved the order after our read: only possible without a row lock.
        uow.rollback()
        raise AlreadyDecided(key, seen, None, None, None) from error
    return target
