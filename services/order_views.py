"""An order as `replenish review list|show` shows it: money at stake, reasons in order
(holding first), and, once decided, who decided, when, through which channel, with
their comment and the quantities they set. Read-only.

The page (`services.review_pages`) and the e-mail (`services.review_mail`) use the same
pieces (`order_money_at_stake`, `order_reasons`, `decision_view`), so the terminal says
what the browser says.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from approvals.policy import same_person_in
from domain.local_time import as_utc
from domain.quantities import line_value, ordered_quantity
from flags import FlagRules
from services.decision_text import DecisionView, decision_view
from services.money_at_stake import order_money_at_stake
from services.refusals import routed_people
from services.review_reasons import Reason, main_reason, order_reasons
from storage.models import PurchaseOrder
from storage.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class LineState:
    sku: str
    proposed_quantity: Decimal
    approved_quantity: Decimal | None  # a person's quantity, None = the proposal
    ordered_quantity: Decimal
    unit_cost: Decimal
    line_value: Decimal  # of the ordered quantity, to the cent
    explanation: str


@dataclass(frozen=True)
class OrderState:
    po_key: str
    status: str
    supplier_id: str
    supplier: str
    location: str
    currency: str
    proposed_value: Decimal
    ordered_value: Decimal
    money_at_stake: Decimal  # services.money_at_stake
    approver: str | None
    second_approver: str | None
    deputy: str | None
    required_approvals: int
    decision_due_at: datetime | None
    reasons: list[Reason]
    decisions: list[DecisionView] = field(default_factory=list)
    lines: list[LineState] = field(default_factory=list)
    rollout_mode: str = "live"  # shadow: a record only, never decided or sent

    @property
    def main_reason(self) -> str:
        return main_reason(self.reasons)

    def as_json(self) -> dict[str, Any]:
        """The JSON of `review list|show --json` (numbers as numbers)."""
        return {
            "po_key": self.po_key,
            "status": self.status,
            "supplier_id": self.supplier_id,
            "supplier": self.supplier,
            "location": self.location,
            "currency": self.currency,
            "value": float(self.ordered_value),
            "proposed_value": float(self.proposed_value),
            "money_at_stake": float(self.money_at_stake),
            "line_count": len(self.lines),
            "approver": self.approver,
            "second_approver": self.second_approver,
            "deputy": self.deputy,
            "required_approvals": self.required_approvals,
            "decision_due_at": self.decision_due_at.isoformat() if self.decision_due_at else None,
            "main_reason": self.main_reason,
            "reasons": list(dict.fromkeys(r.code for r in self.reasons if r.holds)),
            "informing": list(dict.fromkeys(r.code for r in self.reasons if not r.holds)),
            "decisions": [d.as_json() for d in self.decisions],
            "rollout_mode": self.rollout_mode,
        }


def waiting_orders(
    uow_factory: Callable[[], UnitOfWork], rules: FlagRules, person: str | None = None
) -> list[OrderState]:
    """Orders waiting for a decision (for `person`, if given), most money at stake first."""
    with uow_factory() as uow:
        orders = [
            _state(uow, po, rules, with_decisions=False)
            for po in uow.orders.waiting_for_decision()
            if person is None or same_person_in(person, routed_people(po))
        ]
    return sorted(orders, key=lambda o: (-o.money_at_stake, o.decision_due_at or datetime.max))


def order_state(uow_factory: Callable[[], UnitOfWork], po_key: str, rules: FlagRules) -> OrderState:
    """One order in full, whatever its state; KeyError when there is no such order."""
    with uow_factory() as uow:
        po = uow.orders.get(po_key)
        if po is None:
            raise KeyError(f"no purchase order {po_key}")
        return _state(uow, po, rules, with_decisions=True)


def _state(
    uow: UnitOfWork, po: PurchaseOrder, rules: FlagRules, *, with_decisions: bool
) -> OrderState:
    lines = [
        LineState(
            sku=ln.sku,
            proposed_quantity=ln.proposed_quantity,
            approved_quantity=ln.approved_quantity,
            ordered_quantity=ordered_quantity(ln),
            unit_cost=ln.unit_cost,
            line_value=line_value(ordered_quantity(ln), ln.unit_cost),
            explanation=ln.explanation,
        )
        for ln in po.lines
    ]
    decisions: list[DecisionView] = []
    if with_decisions:
        trail = uow.orders.audit_trail(po.po_key)
        decisions = [decision_view(d, trail) for d in uow.orders.decisions_on(po.id)]
    return OrderState(
        po_key=po.po_key,
        status=po.status,
        supplier_id=po.supplier_id,
        supplier=po.supplier_name or po.supplier_id,
        location=po.location,
        currency=po.currency,
        proposed_value=po.value,
        ordered_value=sum((ln.line_value for ln in lines), Decimal("0.00")),
        money_at_stake=order_money_at_stake(po),
        approver=po.approver,
        second_approver=po.second_approver,
        deputy=po.deputy,
        required_approvals=max(po.required_approvals or 1, 1),
        decision_due_at=as_utc(po.decision_due_at) if po.decision_due_at else None,
        reasons=order_reasons(po, rules),
        decisions=decisions,
        lines=lines,
        rollout_mode=po.rollout_mode or "live",
    )
