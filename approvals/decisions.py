"""A person's decision on a flagged order: applied once, recorded, audited, or refused.

`decide` is the one way a review page, the CLI or a test approves or rejects an order.
Everything happens in one transaction: lock the order, check it still waits for a
decision, record the `Decision`, keep changed quantities beside the proposal and, when
the order is fully decided, move it through `OrderRepository.transition` (which writes
the audit record). Two approvers or one double click therefore produce exactly one
change and a clear `AlreadyDecided` for everyone else.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal

from sqlalchemy.exc import IntegrityError

from approvals.policy import person_key, same_person_in
from approvals.refusals import (
    AlreadyDecided,
    InvalidDecision,
    NotAnAdministrator,
    NotYourDecision,
)
from domain.actors import Actor
from domain.lifecycle import AWAITING_DECISION, InvalidTransition, OrderStatus, StateConflict
from storage.models import Decision, OrderLine, PurchaseOrder
from storage.unit_of_work import UnitOfWork

__all__ = [
    "AlreadyDecided",
    "DecisionOutcome",
    "InvalidDecision",
    "NotAnAdministrator",
    "NotYourDecision",
    "Outcome",
    "decide",
]

Outcome = Literal["approve", "reject"]
_RECORDED = {"approve": "approved", "reject": "rejected"}
# Quantities are stored as Numeric(14, 3): anything this large is a typing slip.
_MAX_QUANTITY = Decimal("1000000000")


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
        _refuse_if_decided(order, earlier, actor)
        if not in_place_of_approver:
            _refuse_if_not_routed(order, actor)
        changed = _changed_quantities(order, quantities or {}) if outcome == "approve" else {}
        withdrawn = _restart_if_changed(uow, order, earlier, changed, actor)
        try:
            decision = uow.orders.record_decision(po_key, _RECORDED[outcome], actor, comment)
        except IntegrityError as error:
            # The unique (order, person) key caught a race the lock did not (SQLite).
            uow.rollback()
            raise AlreadyDecided(po_key, status_seen, actor.name, "decided", None) from error
        details = _details(order, changed)
        for line in order.lines:
            if line.sku in changed:
                new = changed[line.sku]
                line.approved_quantity = None if new == line.proposed_quantity else new
        kept = [d for d in earlier if d.outcome == "approved" and d not in withdrawn]
        approvals = len(kept) + (outcome == "approve")
        required = max(order.required_approvals or 1, 1)
        details |= {"approvals": approvals, "required_approvals": required}
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
    mine = next((d for d in earlier if person_key(d.decided_by) == actor.name), None)
    if mine is not None:
        raise AlreadyDecided(
            order.po_key, order.status, mine.decided_by, mine.outcome, mine.decided_at
        )


def _routed_people(order: PurchaseOrder) -> list[str]:
    people = [order.approver, order.second_approver, order.deputy]
    return list(dict.fromkeys(p for p in people if p))


def _refuse_if_not_routed(order: PurchaseOrder, actor: Actor) -> None:
    allowed = _routed_people(order)
    if allowed and not same_person_in(actor.name, tuple(allowed)):
        raise NotYourDecision(order.po_key, actor.name, allowed)


def _changed_quantities(
    order: PurchaseOrder, quantities: Mapping[str, Decimal]
) -> dict[str, Decimal]:
    """Quantities that differ from what the order holds now (an earlier approver's
    quantity, else the proposal); the proposal itself is never overwritten."""
    current = {line.sku: _effective(line) for line in order.lines}
    unknown = sorted(set(quantities) - set(current))
    if unknown:
        raise InvalidDecision(f"purchase order {order.po_key} has no line for {', '.join(unknown)}")
    changed: dict[str, Decimal] = {}
    for sku, quantity in quantities.items():
        value = Decimal(quantity)
        if not value.is_finite() or value < 0 or value >= _MAX_QUANTITY:
            raise InvalidDecision(
                f"{sku}: a quantity must be a number from 0 to {_MAX_QUANTITY - 1:,}, "
                f"not {quantity}"
            )
        if value != current[sku]:
            changed[sku] = value
    if current and all(changed.get(sku, qty) == 0 for sku, qty in current.items()):
        raise InvalidDecision(
            f"every line of {order.po_key} would be zero: reject the order instead"
        )
    return changed


def _effective(line: OrderLine) -> Decimal:
    return line.approved_quantity if line.approved_quantity is not None else line.proposed_quantity


def _details(order: PurchaseOrder, changed: Mapping[str, Decimal]) -> dict[str, object]:
    if not changed:
        return {}
    lines = {line.sku: line for line in order.lines}
    return {
        "quantities": {
            sku: {
                "proposed": str(lines[sku].proposed_quantity),
                "before": str(_effective(lines[sku])),
                "approved": str(value),
            }
            for sku, value in changed.items()
        }
    }
