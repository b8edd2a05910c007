"""Cancel an order in the ERP exactly once, for a rollback and for the runs that retry.

The protocol mirrors the submission's (`services.submission`): the order is first claimed
by moving it to `cancelling` (committed with its audit record, in the rollback's own
transaction); then, row locked, and only while it is still `cancelling`, the ERP is asked
to cancel it. The lock is held across the ERP call, so a second process (a nightly run
retrying beside the rollback) waits and then finds the order settled. The ERP's answer
and the order's new state, its audit record and its outcome in the rollback commit
together. A call that fails leaves the order `cancelling`: the next run (or `replenish
submit`) asks again, and the adapters make the second ask a no-op for the ERP (the REST
cancellation's Idempotency-Key, Tryton's cancelled state, the file drop's ledger).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from domain.actors import Actor, utcnow
from domain.lifecycle import OrderStatus
from domain.rollback import OrderOutcome, Outcome
from integrations.erp.base import ErpAdapter, ErpCancellation, ErpError
from services.erp_calls import ErpCalls
from services.submission import erp_order
from storage.unit_of_work import UnitOfWork

Log = logging.Logger | logging.LoggerAdapter[logging.Logger]


def cancel_claimed(
    uow_factory: Callable[[], UnitOfWork],
    key: str,
    erp: ErpAdapter,
    actor: Actor,
    calls: ErpCalls,
) -> OrderOutcome:
    """Ask the ERP to cancel one claimed (`cancelling`) order; its settled outcome."""
    with uow_factory() as uow:
        po = uow.orders.lock(key)
        rollback = uow.rollbacks.of_order(key)
        if po is None or po.status != OrderStatus.CANCELLING.value:
            # Settled by another process while we waited for the lock: report what it did.
            stored = {o.po_key: o for o in uow.rollbacks.outcomes(rollback)} if rollback else {}
            if key in stored:
                return OrderOutcome(key, Outcome(stored[key].outcome), stored[key].detail)
            return OrderOutcome(key, Outcome.UNCHANGED, f"it is {po.status if po else 'gone'}")
        order = erp_order(po)
        why = rollback.reason if rollback else "rolled back"
        try:
            answer = calls.call(lambda: erp.cancel(order, why))
        except ErpError as error:
            outcome = OrderOutcome(
                key, Outcome.FAILED, f"{error}; the next run tries again, once in the ERP"
            )
            uow.orders.note(key, "cancel_failed", actor, str(error))
        else:
            outcome = _settle(uow, key, answer, actor, erp.name)
        if rollback is not None:
            uow.rollbacks.set_outcome(rollback, key, outcome.outcome, outcome.detail, utcnow())
        uow.commit()
    return outcome


def retry_cancellations(
    uow_factory: Callable[[], UnitOfWork],
    erp: ErpAdapter,
    actor: Actor,
    calls: ErpCalls,
    log: Log | None = None,
) -> list[OrderOutcome]:
    """Every order whose cancellation a rollback left unsettled, asked again (each run)."""
    log = log or logging.getLogger(__name__)
    with uow_factory() as uow:
        keys = uow.rollbacks.cancelling()
    outcomes = [cancel_claimed(uow_factory, key, erp, actor, calls) for key in keys]
    for outcome in outcomes:
        level = logging.ERROR if outcome.outcome is Outcome.FAILED else logging.INFO
        log.log(level, "Cancellation of %s retried: %s %s", outcome.po_key,
                outcome.outcome.value, outcome.detail)  # fmt: skip
    return outcomes


def _settle(
    uow: UnitOfWork, key: str, answer: ErpCancellation, actor: Actor, erp_name: str
) -> OrderOutcome:
    """The order's state after the ERP's answer, audited; the outcome a person reads."""
    ref = answer.external_ref
    details = {"external_ref": ref, "erp_answer": answer.outcome}
    if answer.outcome == "not_held":
        text = f"never reached {erp_name}: it holds nothing under this key"
        uow.orders.transition(key, OrderStatus.WITHDRAWN, actor, reason=text, details=details)
        return OrderOutcome(key, Outcome.WITHDRAWN, text)
    if answer.outcome in ("cancelled", "already_cancelled"):
        text = f"in {erp_name}" + (f" as {ref}" if ref else "")
        uow.orders.transition(key, OrderStatus.CANCELLED, actor, reason=text, details=details)
        return OrderOutcome(key, Outcome.CANCELLED, text)
    # Too late: the ERP has placed it. It stays what the ERP holds, sent, with the reason.
    text = answer.reason or f"{erp_name} can no longer cancel it"
    claim = uow.orders.claim_submission(key, erp_name)
    if claim.status != "submitted":  # handed over for approval there, then confirmed
        uow.orders.record_submission(claim, external_ref=ref or None, error=None)
    uow.orders.transition(
        key, OrderStatus.SUBMITTED, actor, reason=f"too late to cancel: {text}", details=details
    )
    return OrderOutcome(key, Outcome.TOO_LATE, text)
