"""Approval inside the ERP: flagged orders wait for the ERP's approvers, not for ours.

Each pass (the submit stage of every run, and `replenish submit`) first reads back the
verdicts the ERP reached on orders still waiting for a decision and records each one
through the ordinary decision path: a `Decision` row and the state change with its audit
record, in one transaction, with the ERP named as the actor and the person inside the
ERP named in the reason. Orders with no verdict yet are handed over (once per key: the
adapter looks the key up first). Approved orders then go through the normal submission,
which finds the ERP's purchase under the key and adopts it instead of creating another.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from domain.actors import Actor
from domain.lifecycle import OrderStatus, StateConflict
from integrations.erp.approval import ApprovingErp, ErpVerdict
from integrations.erp.base import ErpError, ErpOrder, ErpReceipt
from services.submission import erp_order
from storage.unit_of_work import UnitOfWork

CHANNEL = "erp"


@dataclass
class ErpApprovals:
    handed_over: list[str] = field(default_factory=list)
    approved: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def sync_erp_approvals(
    uow_factory: Callable[[], UnitOfWork],
    erp: ApprovingErp,
    logger: logging.Logger | logging.LoggerAdapter[logging.Logger] | None = None,
) -> ErpApprovals:
    """Record the ERP's verdicts on waiting orders, then hand the undecided ones over."""
    log = logger or logging.getLogger(__name__)
    outcome = ErpApprovals()
    with uow_factory() as uow:
        waiting = {po.po_key: erp_order(po) for po in uow.orders.waiting_for_decision()}
    try:
        verdicts = erp.decisions(sorted(waiting))
    except ErpError as error:
        log.error("Could not read decisions back from %s: %s", erp.name, error)
        outcome.failed = dict.fromkeys(waiting, str(error))
        return outcome
    for verdict in verdicts:
        if _record(uow_factory, verdict, erp.name):
            (outcome.approved if verdict.outcome == "approve" else outcome.rejected).append(
                verdict.po_key
            )
        waiting.pop(verdict.po_key, None)
    for key, order in waiting.items():
        try:
            receipt = _hand_over(uow_factory, key, order, erp)
        except ErpError as error:
            outcome.failed[key] = str(error)
            log.error("Could not hand %s over to %s: %s", key, erp.name, error)
            continue
        if receipt is not None and receipt.created:
            outcome.handed_over.append(key)
    log.info(
        "%s: %d handed over for approval, %d approved and %d rejected there, %d failed",
        erp.name, len(outcome.handed_over), len(outcome.approved), len(outcome.rejected),
        len(outcome.failed),
    )  # fmt: skip
    return outcome


def _record(uow_factory: Callable[[], UnitOfWork], verdict: ErpVerdict, erp_name: str) -> bool:
    """The ERP's verdict as the order's decision; False if the order no longer waits."""
    actor = Actor(erp_name, CHANNEL)
    done = "approved" if verdict.outcome == "approve" else "rejected"
    # One form of identity for both verdicts: the ERP user's login (`decided_by`), named
    # in full beside it, and when the ERP says it happened.
    at = f" at {verdict.decided_at:%Y-%m-%d %H:%M} UTC" if verdict.decided_at else ""
    reason = f"{done} in {erp_name} by {verdict.who()}{at} ({verdict.external_ref})"
    details = {"erp_user": verdict.decided_by, "erp_user_name": verdict.decided_by_name,
               "external_ref": verdict.external_ref}  # fmt: skip
    with uow_factory() as uow:
        order = uow.orders.lock(verdict.po_key)
        if order is None or order.status != OrderStatus.PENDING_REVIEW.value:
            return False  # decided meanwhile (expired, or on our side): the first one holds
        uow.orders.record_decision(verdict.po_key, done, actor, reason)
        target = OrderStatus.APPROVED if verdict.outcome == "approve" else OrderStatus.REJECTED
        try:
            uow.orders.transition(verdict.po_key, target, actor, reason=reason, details=details)
        except StateConflict:
            uow.rollback()
            return False
        uow.commit()
    return True


def _hand_over(
    uow_factory: Callable[[], UnitOfWork], key: str, order: ErpOrder, erp: ApprovingErp
) -> ErpReceipt | None:
    """Hand one order over, row locked and only while it still waits: a rollback that
    withdraws it meanwhile waits for the lock and then finds it noted as handed over (so
    it cancels the ERP's quotation), or withdraws it first (so nothing is handed over)."""
    with uow_factory() as uow:
        po = uow.orders.lock(key)
        if po is None or po.status != OrderStatus.PENDING_REVIEW.value:
            return None
        receipt = erp.hand_over(order)
        if receipt.created:
            reason = f"handed to {erp.name} for approval as {receipt.external_ref}"
            uow.orders.note(key, "handed_to_erp", Actor(erp.name, CHANNEL), reason,
                            {"external_ref": receipt.external_ref})  # fmt: skip
            uow.commit()
    return receipt
