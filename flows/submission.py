"""Submit approved orders to the ERP exactly once."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from approvals.lifecycle import OrderStatus
from flows.identity import NIGHTLY
from integrations.erp.base import ErpError, ErpOrder, ErpOrderLine
from replenish.bootstrap import Services
from storage.models import PurchaseOrder
from storage.orders import StateConflict
from storage.records import CENT


@dataclass
class Submitted:
    submitted: list[str] = field(default_factory=list)
    already_in_erp: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


@task(name="submit", cache_policy=NO_CACHE)
def submit(services: Services) -> Submitted:
    """Send every approved order to the ERP exactly once.

    Protocol per order: claim the key in the database (unique), mark the order
    `submitting`, ask the ERP whether it already holds the key (a crash after the ERP
    call but before our commit), and only then create it. Each step commits, so a
    kill at any point leaves a state the next run completes without duplicating.
    """
    outcome = Submitted()
    logger = get_run_logger()
    erp = services.erp
    with services.uow() as uow:
        ready = [(po.po_key, _erp_order(po)) for po in uow.orders.ready_to_submit()]
    for key, order in ready:
        with services.uow() as uow:
            claim = uow.orders.claim_submission(key, erp.name)
            po = uow.orders.get(key)
            if po is None or claim.status == "submitted":
                continue
            if po.status != OrderStatus.SUBMITTING.value:
                try:
                    uow.orders.transition(key, OrderStatus.SUBMITTING, NIGHTLY)
                except StateConflict:
                    continue
            uow.commit()
        with services.uow() as uow:
            claim = uow.orders.claim_submission(key, erp.name)
            try:
                receipt = erp.find(key) or erp.submit(order)
            except ErpError as error:
                uow.orders.record_submission(claim, external_ref=None, error=str(error))
                uow.orders.transition(key, OrderStatus.FAILED, NIGHTLY, reason=str(error))
                uow.commit()
                outcome.failed[key] = str(error)
                logger.error("ERP refused %s: %s", key, error)
                continue
            uow.orders.record_submission(claim, external_ref=receipt.external_ref, error=None)
            uow.orders.transition(
                key, OrderStatus.SUBMITTED, NIGHTLY, details={"external_ref": receipt.external_ref}
            )
            uow.commit()
        (outcome.submitted if receipt.created else outcome.already_in_erp).append(key)
    logger.info(
        "Submitted %d orders to %s (%d were already there, %d failed)",
        len(outcome.submitted),
        erp.name,
        len(outcome.already_in_erp),
        len(outcome.failed),
    )
    return outcome


def _erp_order(po: PurchaseOrder) -> ErpOrder:
    """The order as the ERP gets it: a buyer's quantity wins over the proposal.

    A line a buyer set to zero is left out, and values are recomputed from the quantities
    actually ordered, so the ERP's total matches what was approved to the cent.
    """
    lines = []
    for line in po.lines:
        quantity = (
            line.approved_quantity if line.approved_quantity is not None else line.proposed_quantity
        )
        if quantity <= 0:
            continue
        lines.append(
            ErpOrderLine(
                sku=line.sku,
                quantity=quantity,
                unit_price=line.unit_cost,
                line_value=(quantity * line.unit_cost).quantize(CENT, rounding=ROUND_HALF_UP),
            )
        )
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
