"""Apply what `approvals.escalation` decides is due: e-mail the people, then record the step.

Mail first, record second: a message carries a dedupe key, so if recording fails the
next run finds the step still due and the mailer skips the message already sent (the
other way round, a failed mail after the record would lose the reminder for good).
Recording is a conditional update, so two overlapping runs, or a decision made
meanwhile, never take a step twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from approvals.escalation import DeadlineAction, Stage, Step, WaitingOrder, due_actions
from approvals.links import ReviewLinks
from approvals.notifications import OutgoingMail, deadline_notice
from approvals.policy import RoutingPolicy, same_person_in
from domain.actors import Actor
from domain.lifecycle import InvalidTransition, OrderStatus, StateConflict
from storage.models import PurchaseOrder
from storage.unit_of_work import UnitOfWork

DEADLINES = Actor(name="decision-deadline", channel="nightly-run")


@dataclass(frozen=True)
class Mailing:
    """Where deadline e-mails come from and how their links are signed."""

    sender: str
    operator: str
    links: ReviewLinks


def chase_deadlines(
    uow_factory: Callable[[], UnitOfWork],
    policy: RoutingPolicy,
    mailing: Mailing,
    deliver: Callable[[Sequence[OutgoingMail]], object],
    now: datetime,
) -> list[DeadlineAction]:
    """Remind, escalate, hold or expire every waiting order whose time has come."""
    with uow_factory() as uow:
        waiting = [_waiting(po) for po in uow.orders.waiting_for_decision()]
    actions = due_actions(
        waiting,
        now,
        grace=timedelta(hours=policy.escalation_grace_hours),
        on_deadline=policy.on_deadline,
        operator=mailing.operator,
    )
    orders = {order.po_key: order for order in waiting}
    grace = timedelta(hours=policy.escalation_grace_hours)
    done = []
    for action in actions:
        order = orders[action.po_key]
        deliver([_mail(action, order, mailing, r, now + grace) for r in action.recipients])
        if _record(uow_factory, action, now):
            done.append(action)
    return done


def _record(uow_factory: Callable[[], UnitOfWork], action: DeadlineAction, now: datetime) -> bool:
    from_stage = action.from_stage.value if action.from_stage else None
    details = {"recipients": list(action.recipients), "due_at": action.due_at.isoformat()}
    with uow_factory() as uow:
        if not uow.orders.advance_escalation(
            action.po_key, from_stage, action.to_stage.value, DEADLINES, now, details
        ):
            return False  # decided meanwhile, or another run took this step
        if action.step is Step.EXPIRE:
            try:
                uow.orders.transition(
                    action.po_key, OrderStatus.EXPIRED, DEADLINES, reason="no decision in time"
                )
            except (StateConflict, InvalidTransition):
                return False
        uow.commit()
    return True


def _mail(
    action: DeadlineAction,
    order: WaitingOrder,
    mailing: Mailing,
    recipient: str,
    link_expires: datetime,
) -> OutgoingMail:
    # A fresh link: the one in the first e-mail expired with the deadline. Only people
    # the order is routed to get one (the operator is told, not asked to decide).
    routed = tuple(p for p in (order.approver, order.second_approver, order.deputy) if p)
    link = (
        mailing.links.order_link(recipient, action.po_key, link_expires)
        if same_person_in(recipient, routed)
        else ""
    )
    return deadline_notice(
        sender=mailing.sender,
        recipient=recipient,
        step=action.step.value,
        po_key=action.po_key,
        approver=order.approver or "",
        due=f"{action.due_at:%a %d %b %Y %H:%M} UTC",
        link=link,
    )


def _waiting(po: PurchaseOrder) -> WaitingOrder:
    return WaitingOrder(
        po_key=po.po_key,
        approver=po.approver,
        second_approver=po.second_approver,
        deputy=po.deputy,
        due_at=_utc(po.decision_due_at),
        stage=Stage(po.escalation_stage) if po.escalation_stage else None,
        stage_at=_utc(po.escalation_at),
    )


def _utc(moment: datetime | None) -> datetime | None:
    """SQLite returns stored UTC times without a zone; PostgreSQL returns them aware."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)
