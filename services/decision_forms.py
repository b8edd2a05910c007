"""What the Prefect UI's decision forms list: per person, the orders waiting for them.

One form per person (not per order) keeps the Prefect side cheap: a suspended flow run
holds no process, but every form is a run to start, list and resume, and a night can
leave 30 orders with one buyer. A form asks exactly the people the review e-mails ask
(`still_to_decide`: the approver, the second approver of a two-approval order), plus the
deputy once the order was escalated to them; a person who already gave their decision
on an order is not asked again. Read-only: deciding goes through `services.decisions`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from approvals.escalation import Stage
from approvals.policy import person_key
from domain.quantities import ordered_quantity
from services.review_mail import money_at_stake, still_to_decide
from storage.models import PurchaseOrder
from storage.unit_of_work import UnitOfWork

_DEPUTY_ASKED = {Stage.ESCALATED.value, Stage.HELD.value}


@dataclass(frozen=True)
class FormLine:
    sku: str
    proposed: Decimal
    current: Decimal  # what would be ordered now: an earlier approver's quantity, else proposed
    unit_cost: Decimal
    flagged: bool  # a flag names this line


@dataclass(frozen=True)
class FormOrder:
    po_key: str
    status: str
    supplier: str
    location: str
    currency: str
    value: Decimal
    money_at_stake: Decimal
    deadline: datetime | None
    reasons: list[str]  # the flags' sentences, most money at stake first
    lines: list[FormLine]  # in the order's own (stable) line order


def asked_to_decide(
    uow_factory: Callable[[], UnitOfWork], default_approver: str
) -> dict[str, list[str]]:
    """Per person (lower case), the keys of the orders waiting for their decision, most
    money at stake first; a person with nothing to decide is not in it."""
    asked: dict[str, list[tuple[Decimal, str]]] = {}
    with uow_factory() as uow:
        for po in uow.orders.waiting_for_decision():
            decided = {person_key(d.decided_by) for d in uow.orders.decisions_on(po.id)}
            people = still_to_decide(po, decided, default_approver)
            if po.deputy and po.escalation_stage in _DEPUTY_ASKED:
                people += [p for p in [person_key(po.deputy)] if p not in decided]
            for person in dict.fromkeys(people):
                asked.setdefault(person, []).append((money_at_stake(po), po.po_key))
    return {
        person: [key for _, key in sorted(orders, key=lambda o: (-o[0], o[1]))]
        for person, orders in asked.items()
    }


def form_orders(uow_factory: Callable[[], UnitOfWork], po_keys: Iterable[str]) -> list[FormOrder]:
    """The orders named, in that order, as they stand now (whatever their status): a form
    lists the same orders when it is shown and when its answers are read."""
    with uow_factory() as uow:
        found = []
        for key in po_keys:
            po = uow.orders.get(key)
            if po is None:
                raise KeyError(f"no purchase order {key}")
            found.append(_form_order(po))
        return found


def _form_order(po: PurchaseOrder) -> FormOrder:
    flags = sorted(po.flags, key=lambda f: f.money_at_stake, reverse=True)
    flagged = {f.sku for f in flags if f.sku}
    due = po.decision_due_at
    return FormOrder(
        po_key=po.po_key,
        status=po.status,
        supplier=po.supplier_name or po.supplier_id,
        location=po.location,
        currency=po.currency,
        value=po.value,
        money_at_stake=money_at_stake(po),
        deadline=due if due is None or due.tzinfo else due.replace(tzinfo=UTC),
        reasons=[f.message for f in flags],
        lines=[
            FormLine(
                line.sku,
                line.proposed_quantity,
                ordered_quantity(line),
                line.unit_cost,
                line.sku in flagged,
            )
            for line in po.lines
        ],
    )
