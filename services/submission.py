"""Submit approved orders to the ERP exactly once, from the nightly run or `replenish submit`.

Protocol per order, safe with two processes at once (a nightly run and a `replenish
submit` beside it): lock the order row, claim its key (unique), mark it `submitting`
and commit; then lock it again, and only if the claim is still unsent ask the ERP
whether it already holds the key (a crash after the ERP call, before our commit) and
only then create it. The second lock is held across the ERP call, so a second process
waits and then finds the order sent instead of sending it again.

The ERP call goes through `services.erp_calls`: a transient failure is retried (each
retry asks for the key again before creating: the ERP may have committed the order and
answered too late); a refusal fails that order with the ERP's message and the others go
on; an ERP down opens the circuit, and the orders not yet tried stay approved, untouched,
for the next run (`deferred`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from domain.actors import Actor
from domain.lifecycle import OrderStatus, StateConflict
from domain.quantities import line_value, ordered_quantity
from integrations.erp.base import ErpAdapter, ErpError, ErpOrder, ErpOrderLine, ErpRejected
from services.erp_calls import Backoff, CircuitBreaker, ErpCalls
from services.quantity_changes import terms_breaches
from storage.models import PurchaseOrder
from storage.unit_of_work import UnitOfWork

# Approved orders, and orders the ERP refused before: an outage must not leave an approved
# order behind for ever; the claim and asking the ERP first keep the retry single.
_SENDABLE = {OrderStatus.AUTO_APPROVED.value, OrderStatus.APPROVED.value, OrderStatus.FAILED.value}


@dataclass
class Submitted:
    submitted: list[str] = field(default_factory=list)
    already_in_erp: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    #: Of `failed`: refused by the ERP (retrying tonight would only repeat the answer).
    rejected: list[str] = field(default_factory=list)
    #: Of `failed`: not tried, the circuit was open (the ERP is down).
    deferred: list[str] = field(default_factory=list)
    #: Cancellations a rollback left failed, asked again before submitting: key -> outcome.
    cancellations_retried: dict[str, str] = field(default_factory=dict)

    @property
    def retryable(self) -> dict[str, str]:
        """Failures another pass may fix (the ERP unavailable), not the refusals."""
        return {k: v for k, v in self.failed.items() if k not in self.rejected}


def submit_approved(
    uow_factory: Callable[[], UnitOfWork],
    erp: ErpAdapter,
    actor: Actor,
    logger: logging.Logger | logging.LoggerAdapter[logging.Logger] | None = None,
    calls: ErpCalls | None = None,
) -> Submitted:
    """Send every approved order (of any run) to the ERP exactly once.

    `calls` carries the retry policy and the circuit breaker across passes of one run
    (the Prefect retries of the stage); without it, one try per order and no breaker.
    """
    log = logger or logging.getLogger(__name__)
    calls = calls or ErpCalls(Backoff(attempts=1), CircuitBreaker(10**9, 0.0))
    outcome = Submitted()
    with uow_factory() as uow:
        ready = [po.po_key for po in uow.orders.ready_to_submit()]
    for key in ready:
        if key in calls.rejected:  # refused earlier in this run: not again tonight
            outcome.failed[key] = calls.rejected[key]
            outcome.rejected.append(key)
            continue
        if calls.breaker.is_open():  # the ERP is down: leave the order for the next run
            outcome.failed[key] = f"not sent, the ERP is unavailable: {calls.breaker.last_error}"
            outcome.deferred.append(key)
            continue
        if not _claim(uow_factory, key, erp.name, actor):
            continue
        _send(uow_factory, key, erp, actor, outcome, log, calls)
    if outcome.deferred:
        log.error(
            "The ERP %s is unavailable; %d orders were not tried and wait for the next run",
            erp.name, len(outcome.deferred),
        )  # fmt: skip
    log.info(
        "Submitted %d orders to %s (%d were already there, %d failed)",
        len(outcome.submitted), erp.name, len(outcome.already_in_erp), len(outcome.failed),
    )  # fmt: skip
    return outcome


def work_to_submit(uow_factory: Callable[[], UnitOfWork]) -> int:
    """How many orders a submission pass would touch: approved or failed orders to send,
    and cancellations a rollback left unsettled. 0 lets `replenish submit` answer at once,
    without starting Prefect."""
    with uow_factory() as uow:
        return len(uow.orders.ready_to_submit()) + len(uow.rollbacks.cancelling())


def _claim(uow_factory: Callable[[], UnitOfWork], key: str, adapter: str, actor: Actor) -> bool:
    """Claim the key and mark the order `submitting`; False when it is not ours to send."""
    with uow_factory() as uow:
        po = uow.orders.lock(key)
        if po is None:
            return False
        claim = uow.orders.claim_submission(key, adapter)
        if claim.status == "submitted":
            return False
        if po.status in _SENDABLE:
            try:
                uow.orders.transition(key, OrderStatus.SUBMITTING, actor)
            except StateConflict:
                return False
        elif po.status != OrderStatus.SUBMITTING.value:
            return False  # sent or changed by someone else meanwhile
        uow.commit()
    return True


def _send(
    uow_factory: Callable[[], UnitOfWork],
    key: str,
    erp: ErpAdapter,
    actor: Actor,
    outcome: Submitted,
    log: logging.Logger | logging.LoggerAdapter[logging.Logger],
    calls: ErpCalls,
) -> None:
    with uow_factory() as uow:
        po = uow.orders.lock(key)
        claim = uow.orders.claim_submission(key, erp.name)
        if po is None or po.status != OrderStatus.SUBMITTING.value or claim.status == "submitted":
            return  # another process sent it while we waited for the lock
        order = erp_order(po)
        try:
            _refuse_broken_terms(po)  # never hand the ERP a quantity the supplier refuses
            # Every try asks first: a timed-out create may have been committed by the ERP.
            receipt = calls.call(lambda: erp.find(key) or erp.submit(order))
        except ErpError as error:
            refused = isinstance(error, ErpRejected)
            uow.orders.record_submission(
                claim, external_ref=None, error=str(error), rejected=refused
            )
            uow.orders.transition(key, OrderStatus.FAILED, actor, reason=str(error))
            uow.commit()
            outcome.failed[key] = str(error)
            if refused:
                calls.rejected[key] = str(error)
                outcome.rejected.append(key)
                log.error("The ERP rejected %s: %s", key, error)
            else:
                log.error("The ERP could not take %s: %s", key, error)
            return
        uow.orders.record_submission(claim, external_ref=receipt.external_ref, error=None)
        uow.orders.transition(
            key, OrderStatus.SUBMITTED, actor, details={"external_ref": receipt.external_ref}
        )
        uow.commit()
    (outcome.submitted if receipt.created else outcome.already_in_erp).append(key)


def _refuse_broken_terms(po: PurchaseOrder) -> None:
    """A person's quantity that breaks the supplier's terms fails the order, not the ERP.

    `services.quantity_changes` refuses such a quantity when it is decided; this is the
    last guard for one stored before that check existed (or written by hand)."""
    given = {ln.sku: ln.approved_quantity for ln in po.lines if ln.approved_quantity is not None}
    broken = terms_breaches(po, given)
    if broken:
        why = "; ".join(f"{sku}: {text}" for sku, text in broken.items())
        raise ErpRejected(f"not sent: a quantity breaks the supplier's terms ({why})")


def erp_order(po: PurchaseOrder) -> ErpOrder:
    """The order as the ERP gets it: a buyer's quantity wins over the proposal.

    A line a buyer set to zero is left out, and values are recomputed from the quantities
    actually ordered, so the ERP's total matches what was approved to the cent.
    """
    lines = [
        ErpOrderLine(
            sku=line.sku,
            quantity=quantity,
            unit_price=line.unit_cost,
            line_value=line_value(quantity, line.unit_cost),
        )
        for line in po.lines
        if (quantity := ordered_quantity(line)) > 0
    ]
    return ErpOrder(
        po_key=po.po_key,
        supplier_id=po.supplier_id,
        location=po.location,
        order_date=po.order_date,
        expected_delivery=po.expected_delivery,
        currency=po.currency,
        value=sum((line.line_value for line in lines), Decimal("0.00")),
        lines=tuple(lines),
    )
