"""One truth about every order handed to the ERP's approvers, whichever side decided.

With approval inside the ERP a flagged order exists twice: here (waiting, then approved,
rejected, expired or withdrawn) and in the ERP (a quotation its approvers confirm or
cancel). Each ERP-approval pass (every run's submit stage, `replenish submit`) makes the
two agree:

1. An order rejected or expired here has its quotation cancelled in the ERP, once,
   through the adapter's own `cancel`; the audit trail records it (`cancelled_in_erp`),
   so the quotation cannot be confirmed by an approver who did not hear of the rejection.
2. An order rejected, expired, withdrawn or cancelled here that the ERP nevertheless
   shows as confirmed (an approver pressed Confirm before the cancellation, or put the
   cancelled purchase back to draft and confirmed it) raises an operator alert naming
   the order, the ERP user and the time, once per order (`erp_confirmed_despite` in the
   audit trail; the mail queue's dedupe key too). The order stays as it is here: only a
   person can say whether the supplier should get it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from approvals.operator_alerts import confirmed_in_erp_despite
from domain.actors import Actor, utcnow
from domain.lifecycle import OrderStatus
from integrations.erp.approval import ApprovingErp, ErpVerdict
from integrations.erp.base import ErpAdapter, ErpError
from services.notifications import enqueue
from services.submission import erp_order
from storage.unit_of_work import UnitOfWork

Log = logging.Logger | logging.LoggerAdapter[logging.Logger]
CANCELLED_IN_ERP = "cancelled_in_erp"
CONFIRMED_DESPITE = "erp_confirmed_despite"
#: Decided against here: the ERP's quotation must go.
_TO_CANCEL = (OrderStatus.REJECTED.value, OrderStatus.EXPIRED.value)
#: Not going to the supplier as far as replenish knows: the ERP must not place it.
_NOT_ORDERED = (*_TO_CANCEL, OrderStatus.WITHDRAWN.value, OrderStatus.CANCELLED.value)
ACTOR = Actor("replenish", "erp")


class TwoWayErp(ErpAdapter, ApprovingErp, Protocol):
    """An ERP that approves inside and cancels: what this module needs of one adapter."""


@dataclass(frozen=True)
class AlertMailing:
    sender: str
    operator: str


@dataclass
class ErpTruth:
    cancelled: list[str] = field(default_factory=list)
    confirmed_despite: list[ErpVerdict] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def keep_one_truth(
    uow_factory: Callable[[], UnitOfWork],
    erp: TwoWayErp,
    mailing: AlertMailing,
    deliver: Callable[[], object],
    log: Log | None = None,
) -> ErpTruth:
    """Cancel the quotations of orders decided against here; alert on any the ERP placed.

    Each alert is queued in the transaction that audits the disagreement, then `deliver`
    sends the queue: a crash in between leaves the mail queued, never lost."""
    log = log or logging.getLogger(__name__)
    truth = ErpTruth()
    with uow_factory() as uow:
        owed = [po.po_key for po in uow.orders.handed_over_in(_TO_CANCEL, CANCELLED_IN_ERP)]
    for key in owed:
        try:
            if _cancel_once(uow_factory, key, erp):
                truth.cancelled.append(key)
        except ErpError as error:  # the next pass asks again; Tryton's cancel is idempotent
            truth.failed[key] = str(error)
            log.error("Could not cancel %s in %s: %s", key, erp.name, error)
    with uow_factory() as uow:
        closed = uow.orders.handed_over_in(_NOT_ORDERED, CONFIRMED_DESPITE)
        watched = {po.po_key: po.status for po in closed}
    try:
        verdicts = erp.decisions(sorted(watched)) if watched else []
    except ErpError as error:
        log.error("Could not read %s's purchases back: %s", erp.name, error)
        return truth
    for verdict in (v for v in verdicts if v.outcome == "approve"):
        if _record_confirmed(uow_factory, verdict, erp.name, mailing):
            truth.confirmed_despite.append(verdict)
            log.error("%s is %s here but confirmed in %s by %s", verdict.po_key,
                      watched[verdict.po_key], erp.name, verdict.who())  # fmt: skip
    if truth.confirmed_despite:
        deliver()
    return truth


def _cancel_once(uow_factory: Callable[[], UnitOfWork], key: str, erp: ErpAdapter) -> bool:
    """Cancel one order's quotation, row locked, and audit it; False if settled meanwhile."""
    with uow_factory() as uow:
        po = uow.orders.lock(key)
        if po is None or po.status not in _TO_CANCEL:
            return False
        if any(r.action == CANCELLED_IN_ERP for r in uow.orders.audit_trail(key)):
            return False  # another pass did it while we waited for the lock
        decided = _last_change(uow, key)
        answer = erp.cancel(erp_order(po), f"{po.status} in replenish: {decided}")
        what = {
            "cancelled": f"cancelled in {erp.name} as {answer.external_ref}",
            "already_cancelled": f"{erp.name} had cancelled {answer.external_ref} already",
            "not_held": f"{erp.name} held nothing under the key",
            "too_late": f"{erp.name} could not cancel it: {answer.reason}",
        }[answer.outcome]
        details = {"outcome": answer.outcome, "external_ref": answer.external_ref}
        uow.orders.note(key, CANCELLED_IN_ERP, ACTOR, f"{po.status} here ({decided}); {what}",
                        details)  # fmt: skip
        uow.commit()
    return answer.outcome in ("cancelled", "already_cancelled")


def _record_confirmed(
    uow_factory: Callable[[], UnitOfWork], verdict: ErpVerdict, erp: str, mailing: AlertMailing
) -> bool:
    """Audit the disagreement and queue its alert, together, once; False if done before."""
    at = f"{verdict.decided_at:%Y-%m-%d %H:%M} UTC" if verdict.decided_at else "an unknown time"
    with uow_factory() as uow:
        po = uow.orders.lock(verdict.po_key)
        if po is None or any(
            r.action == CONFIRMED_DESPITE for r in uow.orders.audit_trail(verdict.po_key)
        ):
            return False
        decided = _last_change(uow, verdict.po_key)
        reason = (f"confirmed in {erp} as {verdict.external_ref} by {verdict.who()} at {at}, "
                  f"although {po.status} here ({decided})")  # fmt: skip
        details = {"erp_user": verdict.decided_by, "erp_user_name": verdict.decided_by_name,
                   "confirmed_at": at, "external_ref": verdict.external_ref}  # fmt: skip
        uow.orders.note(verdict.po_key, CONFIRMED_DESPITE, ACTOR, reason, details)
        mail = confirmed_in_erp_despite(
            sender=mailing.sender, operator=mailing.operator, po_key=verdict.po_key, erp=erp,
            external_ref=verdict.external_ref, confirmed_by=verdict.who(), confirmed_at=at,
            our_state=str(po.status), our_decision=decided,
        )  # fmt: skip
        enqueue(uow, None, [mail], utcnow())
        uow.commit()
    return True


def _last_change(uow: UnitOfWork, key: str) -> str:
    """Who put the order in its present state here, and when: "by ann@... at ..."."""
    changes = [r for r in uow.orders.audit_trail(key) if r.to_state]
    if not changes:
        return "no decision recorded"
    last = changes[-1]
    return f"{last.to_state} by {last.actor} via {last.channel} at {last.at:%Y-%m-%d %H:%M} UTC"
