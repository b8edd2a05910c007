"""Roll a bad night back: the one use case behind `replenish rollback` and the Prefect
`rollback` deployment.

Only an administrator (`approvals.administrators`) may; anyone else is refused before
anything is read or written. Then, in one transaction: the rollback is recorded (one per
run: a second request finds it and changes nothing), the night's orders that never
reached the ERP are withdrawn (their review links stop working), the ones the ERP may
hold are claimed for cancellation (`cancelling`), each with its audit record (who, when,
channel, why). Each claimed order is then cancelled in the ERP exactly once
(`services.cancellations`). Last, in one transaction, the rollback is closed and its
report queued for the buyers and the operator (the mail queue: never lost); then the
queue is sent. A rollback interrupted anywhere is finished by the next request for the
same night; a cancellation that failed is retried by every run until the ERP settles it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass

from approvals.policy import person_key, same_person_in
from approvals.rollback_mail import cancellations_retried, rollback_mails
from domain.actors import Actor, utcnow
from domain.lifecycle import OrderStatus
from domain.rollback import OrderOutcome, Outcome, RollbackReport, Step, step_for
from integrations.email.base import Mailer
from integrations.erp.approval import ApprovingErp
from integrations.erp.base import ErpAdapter
from services.cancellations import cancel_claimed, retry_cancellations
from services.erp_calls import Backoff, CircuitBreaker, ErpCalls
from services.notifications import deliver_queued, send_mails
from services.run_ids import UnknownRun, full_run_id
from storage.models import Rollback, RollbackOrder
from storage.unit_of_work import UnitOfWork

Log = logging.Logger | logging.LoggerAdapter[logging.Logger]
_WAITING = {OrderStatus.PENDING_REVIEW.value, OrderStatus.APPROVED.value}


@dataclass(frozen=True)
class RollbackRequest:
    run_id: str
    reason: str
    requested_by: str
    channel: str


@dataclass(frozen=True)
class RollbackMailing:
    sender: str
    operator: str
    #: Told when none of the night's orders was routed to a person (all auto-approved).
    default_buyer: str


class RollbackRefused(PermissionError):
    """Not allowed, or not now; the sentence says why and what to do. Nothing changed."""


def roll_back_night(
    uow_factory: Callable[[], UnitOfWork],
    erp: ErpAdapter,
    mailer: Mailer,
    request: RollbackRequest,
    *,
    administrators: Collection[str],
    mailing: RollbackMailing,
    calls: ErpCalls | None = None,
    log: Log | None = None,
) -> RollbackReport:
    """Withdraw or cancel every order of the run; the report of what became of each."""
    log = log or logging.getLogger(__name__)
    actor = Actor(person_key(request.requested_by), request.channel)
    if not same_person_in(actor.name, tuple(administrators)):
        raise RollbackRefused(
            f"{request.requested_by} is not an administrator (approvals.administrators): "
            "only an administrator may roll a night back; nothing was changed"
        )
    reason = " ".join(request.reason.split())
    if not reason:
        raise RollbackRefused("say why the night is rolled back (--reason); nothing was changed")
    calls = calls or ErpCalls(Backoff(attempts=1), CircuitBreaker(10**9, 0.0))
    in_erp_approval = isinstance(erp, ApprovingErp) and erp.approves_in_erp()
    run_id = _run_id(uow_factory, request.run_id)
    if not _begin(uow_factory, run_id, actor, reason, in_erp_approval):
        log.info("Run %s was rolled back already: nothing changed", run_id)
        return _report(uow_factory, run_id, already=True)
    with uow_factory() as uow:
        rollback = uow.rollbacks.get(run_id)
        assert rollback is not None
        pending = [o.po_key for o in uow.rollbacks.outcomes(rollback)
                   if o.outcome in (Outcome.PENDING, Outcome.FAILED)]  # fmt: skip
    for key in pending:
        cancel_claimed(uow_factory, key, erp, actor, calls)
    report = _finish(uow_factory, run_id, actor, mailing)
    log.info("%s: %s", report.headline(), report.count_sentence())
    deliver_queued(uow_factory, mailer, run_id, log=log)
    return report


def retry_failed_cancellations(
    uow_factory: Callable[[], UnitOfWork],
    erp: ErpAdapter,
    mailer: Mailer,
    actor: Actor,
    *,
    run_id: str,
    mailing: RollbackMailing,
    calls: ErpCalls,
    log: Log | None = None,
) -> list[OrderOutcome]:
    """Each run's retry of the cancellations a rollback left failed; the operator is told."""
    outcomes = retry_cancellations(uow_factory, erp, actor, calls, log)
    if outcomes:
        mail = cancellations_retried(
            outcomes, sender=mailing.sender, operator=mailing.operator, run_id=run_id
        )
        send_mails(uow_factory, mailer, run_id, [mail], log=log)
    return outcomes


def _run_id(uow_factory: Callable[[], UnitOfWork], given: str) -> str:
    """The run's full id (`services.run_ids`: the id or its first 8 characters)."""
    with uow_factory() as uow:
        try:
            return full_run_id(uow, given)
        except UnknownRun as unknown:
            raise RollbackRefused(f"{unknown}; nothing was changed") from None


def _begin(
    uow_factory: Callable[[], UnitOfWork],
    run_id: str,
    actor: Actor,
    reason: str,
    in_erp_approval: bool,
) -> bool:
    """Record the rollback and withdraw or claim each order; False when an earlier
    request finished it already (then nothing is written)."""
    now = utcnow()
    with uow_factory() as uow:
        run = uow.runs.get(run_id)
        assert run is not None  # _run_id found it; runs are never deleted
        if run.status == "running":
            raise RollbackRefused(
                f"run {run_id} is still running; roll it back once it has ended "
                "(nothing was changed)"
            )
        existing = uow.rollbacks.get(run_id)
        if existing is not None:
            return existing.finished_at is None  # interrupted: finish it now
        rollback = uow.rollbacks.start(run_id, run.as_of, actor, reason, now)
        if rollback is None:
            return False  # another administrator's request got there first
        uow.rollbacks.audit_run(run_id, "rollback", actor, reason, {"as_of": str(run.as_of)})
        for key, _, handed in uow.rollbacks.run_orders(run_id):
            po = uow.orders.lock(key)  # a decision or a submission in progress finishes first
            assert po is not None
            maybe_held = handed or (in_erp_approval and po.status in _WAITING)
            _take_back(uow, rollback, key, po.status, step_for(po.status, maybe_held), actor)
        uow.commit()
    return True


def _take_back(
    uow: UnitOfWork, rollback: Rollback, key: str, status: str, step: Step, actor: Actor
) -> None:
    why = f"rolled back: {rollback.reason}"
    details = {"rollback_of_run": rollback.run_id}
    if step is Step.WITHDRAW:
        uow.orders.transition(key, OrderStatus.WITHDRAWN, actor, reason=why, details=details)
        outcome, detail = Outcome.WITHDRAWN, "never sent to the ERP"
    elif step is Step.CANCEL:
        if status != OrderStatus.CANCELLING.value:
            uow.orders.transition(key, OrderStatus.CANCELLING, actor, reason=why, details=details)
        outcome, detail = Outcome.PENDING, ""
    else:
        outcome, detail = Outcome.UNCHANGED, f"it was {status.replace('_', ' ')}"
    uow.rollbacks.set_outcome(rollback, key, outcome, detail, utcnow())


def _finish(
    uow_factory: Callable[[], UnitOfWork], run_id: str, actor: Actor, mailing: RollbackMailing
) -> RollbackReport:
    """Close the rollback and queue its report to the buyers and the operator, together."""
    with uow_factory() as uow:
        rollback = uow.rollbacks.get(run_id)
        assert rollback is not None
        report = _as_report(rollback, uow.rollbacks.outcomes(rollback), already=False)
        buyers = uow.rollbacks.routed_people(run_id) or [mailing.default_buyer]
        mails = rollback_mails(
            report, sender=mailing.sender, operator=mailing.operator, buyers=buyers
        )
        for mail in mails:
            uow.mail.enqueue(
                dedupe_key=mail.dedupe_key, run_id=run_id, kind=mail.kind,
                recipient=mail.recipient, subject=str(mail.message["Subject"]),
                message=mail.message.as_string(), at=utcnow(),
            )  # fmt: skip
        uow.rollbacks.finish(rollback, utcnow())
        uow.rollbacks.audit_run(run_id, "rollback_finished", actor, rollback.reason,
                                report.counts())  # fmt: skip
        uow.commit()
    return report


def _report(uow_factory: Callable[[], UnitOfWork], run_id: str, *, already: bool) -> RollbackReport:
    with uow_factory() as uow:
        rollback = uow.rollbacks.get(run_id)
        assert rollback is not None
        return _as_report(rollback, uow.rollbacks.outcomes(rollback), already=already)


def _as_report(
    rollback: Rollback, outcomes: list[RollbackOrder], *, already: bool
) -> RollbackReport:
    return RollbackReport(
        run_id=rollback.run_id,
        as_of=rollback.as_of,
        requested_by=rollback.requested_by,
        channel=rollback.channel,
        reason=rollback.reason,
        requested_at=rollback.requested_at,
        orders=[OrderOutcome(o.po_key, Outcome(o.outcome), o.detail) for o in outcomes],
        already_rolled_back=already,
    )
