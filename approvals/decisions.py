"""A person's decision on a flagged order: applied once, recorded, audited, or refused.

`decide` is the one way a review page, the CLI or a test approves or rejects an order.
Everything happens in one transaction: lock the order, check it still waits for a
decision, record the `Decision`, keep changed quantities beside the proposal and, when
the order is fully decided, move it through `OrderRepository.transition` (which writes
the audit record). Two approvers or one double click therefore produce exactly one
change and a clear `AlreadyDecided` for everyone else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal

from sqlalchemy.exc import IntegrityError

from approvals.lifecycle import AWAITING_DECISION, InvalidTransition, OrderStatus
from storage.models import Decision, PurchaseOrder
from storage.orders import Actor, StateConflict
from storage.unit_of_work import UnitOfWork

Outcome = Literal["approve", "reject"]
_RECORDED = {"approve": "approved", "reject": "rejected"}


class AlreadyDecided(RuntimeError):
    """The order no longer waits for this person's decision; says who decided what, when."""

    def __init__(
        self, po_key: str, status: str, by: str | None, outcome: str | None, at: datetime | None
    ) -> None:
        if by is not None and outcome is not None:
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


class InvalidDecision(ValueError):
    """The decision itself is malformed: unknown outcome, unknown sku, negative quantity."""


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

    @property
    def final(self) -> bool:
        return self.status is not OrderStatus.PENDING_REVIEW


def decide(
    uow_factory: Callable[[], UnitOfWork],
    po_key: str,
    outcome: Outcome,
    actor: Actor,
    comment: str = "",
    quantities: Mapping[str, Decimal] | None = None,
    *,
    in_place_of_approver: bool = False,
) -> DecisionOutcome:
    """Approve or reject `po_key` as `actor`; raise `AlreadyDecided` if it is too late.

    Only the people the order was routed to (approver, second approver, deputy) may
    decide it; anyone else gets `NotYourDecision`. An administrator may decide in their
    place (`in_place_of_approver`), which the audit record says. An order routed to no
    one (stored before routing existed) is open to any reviewer.
    """
    if outcome not in _RECORDED:
        raise InvalidDecision(f"a decision is 'approve' or 'reject', not {outcome!r}")
    with uow_factory() as uow:
        order = uow.orders.lock(po_key)
        if order is None:
            raise KeyError(f"no purchase order {po_key}")
        status_seen = order.status
        earlier = uow.orders.decisions_on(order.id)
        _refuse_if_decided(order, earlier, actor)
        if not in_place_of_approver:
            _refuse_if_not_routed(order, actor)
        changed = _changed_quantities(order, quantities or {})
        try:
            decision = uow.orders.record_decision(po_key, _RECORDED[outcome], actor, comment)
        except IntegrityError as error:
            # The unique (order, person) key caught a race the lock did not (SQLite).
            uow.rollback()
            raise AlreadyDecided(po_key, status_seen, actor.name, "decided", None) from error
        for line in order.lines:
            if line.sku in changed:
                line.approved_quantity = changed[line.sku]
        approvals = sum(d.outcome == "approved" for d in earlier) + (outcome == "approve")
        required = max(order.required_approvals or 1, 1)
        details = _details(order, changed, approvals, required)
        if in_place_of_approver:
            details["in_place_of"] = _routed_people(order)
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
        )


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


def _refuse_if_decided(order: PurchaseOrder, earlier: list[Decision], actor: Actor) -> None:
    if OrderStatus(order.status) not in AWAITING_DECISION:
        last = earlier[-1] if earlier else None
        raise AlreadyDecided(
            order.po_key,
            order.status,
            last.decided_by if last else None,
            last.outcome if last else None,
            last.decided_at if last else None,
        )
    mine = next((d for d in earlier if d.decided_by == actor.name), None)
    if mine is not None:
        raise AlreadyDecided(
            order.po_key, order.status, mine.decided_by, mine.outcome, mine.decided_at
        )


def _routed_people(order: PurchaseOrder) -> list[str]:
    people = [order.approver, order.second_approver, order.deputy]
    return list(dict.fromkeys(p for p in people if p))


def _refuse_if_not_routed(order: PurchaseOrder, actor: Actor) -> None:
    allowed = _routed_people(order)
    if allowed and actor.name not in allowed:
        raise NotYourDecision(order.po_key, actor.name, allowed)


def _changed_quantities(
    order: PurchaseOrder, quantities: Mapping[str, Decimal]
) -> dict[str, Decimal]:
    """Quantities that differ from the proposal; the proposal itself is never overwritten."""
    proposed = {line.sku: line.proposed_quantity for line in order.lines}
    unknown = sorted(set(quantities) - set(proposed))
    if unknown:
        raise InvalidDecision(f"purchase order {order.po_key} has no line for {', '.join(unknown)}")
    changed: dict[str, Decimal] = {}
    for sku, quantity in quantities.items():
        value = Decimal(quantity)
        if not value.is_finite() or value < 0:
            raise InvalidDecision(f"{sku}: a quantity must be a number >= 0, not {quantity}")
        if value != proposed[sku]:
            changed[sku] = value
    return changed


def _details(
    order: PurchaseOrder, changed: Mapping[str, Decimal], approvals: int, required: int
) -> dict[str, object]:
    proposed = {line.sku: line.proposed_quantity for line in order.lines}
    details: dict[str, object] = {"approvals": approvals, "required_approvals": required}
    if changed:
        details["quantities"] = {
            sku: {"proposed": str(proposed[sku]), "approved": str(value)}
            for sku, value in changed.items()
        }
    return details
