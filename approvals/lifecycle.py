"""Kept so older imports work: the order life cycle lives in `domain.lifecycle`."""

from domain.lifecycle import (
    ALLOWED,
    AWAITING_DECISION,
    ORDERED,
    READY_TO_SUBMIT,
    InvalidTransition,
    OrderStatus,
    StateConflict,
    check_transition,
)

__all__ = [
    "ALLOWED",
    "AWAITING_DECISION",
    "ORDERED",
    "READY_TO_SUBMIT",
    "InvalidTransition",
    "OrderStatus",
    "StateConflict",
    "check_transition",
]
