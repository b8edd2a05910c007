"""The purchase-order life cycle: which state may follow which, and nothing else.

proposed -> (auto_approved | pending_review) -> approved | rejected | expired
-> submitting -> submitted -> confirmed | failed

and, when an administrator rolls a night back (`services.rollback`): an order not sent
yet is `withdrawn`; one the ERP may hold goes `cancelling` while the ERP is asked to
cancel it, then `cancelled`, `withdrawn` (the ERP held nothing under its key) or back to
`submitted` (too late: the ERP has placed it).

An order made in shadow mode (`domain.rollout`, a company trying the product beside its
buyers) goes `proposed -> shadow` and stays there: recorded to be compared with what the
buyers ordered, never decided, never sent, never counted as ordered.

Kept as data in one place so the storage layer, the review page and the flow cannot
each invent a slightly different idea of what "already decided" means.
"""

from __future__ import annotations

from enum import StrEnum


class OrderStatus(StrEnum):
    PROPOSED = "proposed"
    AUTO_APPROVED = "auto_approved"
    PENDING_REVIEW = "pending_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    SUBMITTING = "submitting"
    SUBMITTED = "submitted"
    CONFIRMED = "confirmed"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"
    CANCELLING = "cancelling"
    CANCELLED = "cancelled"
    SHADOW = "shadow"


ALLOWED: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PROPOSED: frozenset(
        {OrderStatus.AUTO_APPROVED, OrderStatus.PENDING_REVIEW, OrderStatus.SHADOW}
    ),
    # A rollback withdraws what never reached the ERP; an order handed to the ERP for its
    # own approval (a quotation there) is cancelled there first.
    OrderStatus.PENDING_REVIEW: frozenset(
        {
            OrderStatus.APPROVED,
            OrderStatus.REJECTED,
            OrderStatus.EXPIRED,
            OrderStatus.WITHDRAWN,
            OrderStatus.CANCELLING,
        }
    ),
    OrderStatus.AUTO_APPROVED: frozenset({OrderStatus.SUBMITTING, OrderStatus.WITHDRAWN}),
    OrderStatus.APPROVED: frozenset(
        {OrderStatus.SUBMITTING, OrderStatus.WITHDRAWN, OrderStatus.CANCELLING}
    ),
    # A crash between claiming and confirming leaves "submitting": the next run retries
    # it (the ERP is asked for the key first), so submitting may also end in failed.
    OrderStatus.SUBMITTING: frozenset(
        {OrderStatus.SUBMITTED, OrderStatus.FAILED, OrderStatus.CANCELLING}
    ),
    OrderStatus.SUBMITTED: frozenset(
        {OrderStatus.CONFIRMED, OrderStatus.FAILED, OrderStatus.CANCELLING}
    ),
    # A failed submission may be retried; the idempotency key keeps it single.
    OrderStatus.FAILED: frozenset({OrderStatus.SUBMITTING, OrderStatus.CANCELLING}),
    OrderStatus.REJECTED: frozenset(),
    OrderStatus.EXPIRED: frozenset(),
    OrderStatus.CONFIRMED: frozenset({OrderStatus.CANCELLING}),
    # The ERP is asked to cancel; a failed call leaves the order here for the next run.
    # It held nothing under the key: withdrawn. Too late (placed with the supplier): the
    # order stays in the ERP, submitted.
    OrderStatus.CANCELLING: frozenset(
        {OrderStatus.CANCELLED, OrderStatus.WITHDRAWN, OrderStatus.SUBMITTED}
    ),
    OrderStatus.WITHDRAWN: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
    # A shadow proposal is a record, not an order: nothing may approve or send it.
    OrderStatus.SHADOW: frozenset(),
}

#: States from which an order is ready to go to the ERP.
READY_TO_SUBMIT = frozenset({OrderStatus.AUTO_APPROVED, OrderStatus.APPROVED})
#: States where a person's decision is still awaited.
AWAITING_DECISION = frozenset({OrderStatus.PENDING_REVIEW})
#: States of an order the business chose to place: the order history rules compare with.
#: A rejected or expired proposal is not history.
ORDERED = frozenset(READY_TO_SUBMIT | {OrderStatus.SUBMITTING, OrderStatus.SUBMITTED,
                                       OrderStatus.CONFIRMED})  # fmt: skip
#: States a rollback leaves an order in for good: taken back before or after the ERP.
ROLLED_BACK = frozenset({OrderStatus.WITHDRAWN, OrderStatus.CANCELLED})


class StateConflict(RuntimeError):
    """The order was no longer in the state the caller saw: someone else got there first."""


class InvalidTransition(ValueError):
    """An order was asked to move to a state its current state does not lead to."""

    def __init__(self, current: OrderStatus, target: OrderStatus) -> None:
        super().__init__(f"an order that is {current.value} cannot become {target.value}")
        self.current = current
        self.target = target


def check_transition(current: str, target: str) -> tuple[OrderStatus, OrderStatus]:
    """Return both states typed, or raise `InvalidTransition` if the move is not allowed."""
    source, destination = OrderStatus(current), OrderStatus(target)
    if destination not in ALLOWED[source]:
        raise InvalidTransition(source, destination)
    return source, destination
