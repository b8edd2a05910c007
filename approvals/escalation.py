"""What a missed decision deadline leads to: pure, given the waiting orders and now.

For each order still waiting: at its deadline a reminder to the approver(s); one grace
period later escalation to the deputy; one more grace period later the configured
outcome: `hold` (stays pending, marked held, the operator is told) or `expire` (moves to
expired). Never silent approval: an order nobody looked at must not reach a supplier.
Steps are never skipped: after a night without a run each person still gets a full
grace period before the next step.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal


class Stage(StrEnum):
    """How far deadline handling has gone for an order (`purchase_orders.escalation_stage`)."""

    REMINDED = "reminded"
    ESCALATED = "escalated"
    HELD = "held"
    EXPIRED = "expired"


class Step(StrEnum):
    REMIND = "remind"
    ESCALATE = "escalate"
    HOLD = "hold"
    EXPIRE = "expire"


_REACHES = {
    Step.REMIND: Stage.REMINDED,
    Step.ESCALATE: Stage.ESCALATED,
    Step.HOLD: Stage.HELD,
    Step.EXPIRE: Stage.EXPIRED,
}


@dataclass(frozen=True)
class WaitingOrder:
    po_key: str
    approver: str | None
    second_approver: str | None
    deputy: str | None
    due_at: datetime | None
    stage: Stage | None = None
    stage_at: datetime | None = None


@dataclass(frozen=True)
class DeadlineAction:
    po_key: str
    step: Step
    recipients: tuple[str, ...]
    from_stage: Stage | None
    due_at: datetime

    @property
    def to_stage(self) -> Stage:
        return _REACHES[self.step]


def due_actions(
    orders: Iterable[WaitingOrder],
    now: datetime,
    *,
    grace: timedelta,
    on_deadline: Literal["hold", "expire"],
    operator: str,
) -> list[DeadlineAction]:
    """The one step due now for each waiting order (none for most of them)."""
    actions = []
    for order in orders:
        step = _next_step(order, now, grace, on_deadline)
        if step is not None and order.due_at is not None:
            recipients = _recipients(order, step, operator)
            actions.append(
                DeadlineAction(order.po_key, step, recipients, order.stage, order.due_at)
            )
    return actions


def _next_step(
    order: WaitingOrder, now: datetime, grace: timedelta, on_deadline: str
) -> Step | None:
    if order.due_at is None:
        return None  # proposed before deadlines existed: nothing to chase
    if order.stage is None:
        return Step.REMIND if now >= order.due_at else None
    # Each later step waits a grace period after the deadline's schedule *and* after the
    # previous step actually happened, so nobody gets less than a full grace period.
    since = order.stage_at or order.due_at
    if order.stage is Stage.REMINDED:
        ready = max(order.due_at + grace, since + grace)
        return Step.ESCALATE if now >= ready else None
    if order.stage is Stage.ESCALATED:
        ready = max(order.due_at + 2 * grace, since + grace)
        if now < ready:
            return None
        return Step.EXPIRE if on_deadline == "expire" else Step.HOLD
    return None  # held (or expired): waits for a person, nothing more to send


def _recipients(order: WaitingOrder, step: Step, operator: str) -> tuple[str, ...]:
    if step is Step.REMIND:
        people = [order.approver, order.second_approver]
    elif step is Step.ESCALATE:
        # No deputy configured: the operator is the deputy of last resort.
        people = [order.deputy or operator, order.approver]
    else:
        people = [operator, order.approver, order.deputy]
    unique: list[str] = []
    for person in people:
        if person and person not in unique:
            unique.append(person)
    return tuple(unique)
