"""The purchase-order life cycle: which state may follow which, and nothing else.

proposed -> (auto_approved | pending_review) -> approved | rejected | expired
-> submitting -> submitted -> confirmed | failed

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


ALLOWED: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PROPOSED: frozenset({OrderStatus.AUTO_APPROVED, OrderStatus.PENDING_REVIEW}),
    OrderStatus.PENDING_REVIEW: frozenset(
        {OrderStatus.APPROVED, OrderStatus.REJECTED, OrderStatus.EXPIRED}
    ),
    OrderStatus.AUTO_APPROVED: frozenset({OrderStatus.SUBMITTING}),
    OrderStatus.APPROVED: frozenset({OrderStatus.SUBMITTING}),
    # A crash between claiming and confirming leaves "submitting": the next run retries
    # it (the ERP is asked for the key first), so submitting may also end in failed.
    OrderStatus.SUBMITTING: frozenset({OrderStatus.SUBMITTED, OrderStatus.FAILED}),
    OrderStatus.SUBMITTED: frozenset({OrderStatus.CONFIRMED, OrderStatus.FAILED}),
    # A failed submission may be retried; the idempotency key keeps it single.
    OrderStatus.FAILED: frozenset({OrderStatus.SUBMITTING}),
    OrderStatus.REJECTED: frozenset(),
    OrderStatus.EXPIRED: frozenset(),
    OrderStatus.CONFIRMED: frozenset(),
}

#: States from which an order is ready to go to the ERP.
READY_TO_SUBMIT = frozenset({OrderStatus.AUTO_APPROVED, OrderStatus.APPROVED})
#: States where a person's decision is still awaited.
AWAITING_DECISION = frozenset({OrderStatus.PENDING_REVIEW})
#: States of an order the business chose to place: the order history rules compare with.
#: A rejected or expired proposal is not history.
ORDERED = frozenset(READY_TO_SUBMIT | {OrderStatus.SUBMITTING, OrderStatus.SUBMITTED,
                                       OrderStatus.CONFIRMED})  # fmt: skip


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
