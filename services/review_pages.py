"""What the review page shows: one order as its approver must see it, or one approver's
digest of waiting orders. Read-only: nothing here changes the database.

Access is decided here, from the stored order, not from the link alone: a link names a
person, and the page opens only for someone the order was routed to (approver, second
approver, deputy), for an administrator, or for an order routed to nobody (sent with a
warning, or stored before routing existed).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from approvals.links import Grant
from approvals.policy import RoutingPolicy, person_key, same_person_in
from domain.lifecycle import AWAITING_DECISION, OrderStatus
from domain.quantities import line_value, ordered_quantity
from flags import FlagRules
from purchasing.supplier_terms import SupplierTerms
from services.decision_text import DecisionView, decision_view, withdrawal_sentence
from services.money_at_stake import order_money_at_stake
from services.quantity_changes import quantity_problem
from services.refusals import routed_people
from services.review_mail import decision_due
from services.review_reasons import Reason, main_reason, order_reasons
from storage.models import Forecast
from storage.unit_of_work import UnitOfWork


class NotForYou(PermissionError):
    """The person named by the link has no business with this order (no data given)."""


class Withdrawn(LookupError):
    """A rollback took the order back: the link no longer shows it (who, when and why)."""


#: States of an order a rollback took back, or is taking back through the ERP.
TAKEN_BACK = frozenset(
    {OrderStatus.WITHDRAWN.value, OrderStatus.CANCELLING.value, OrderStatus.CANCELLED.value}
)


FlagView = Reason  # a flag as the page shows it: holding or informing, with its sentence


@dataclass(frozen=True)
class LineView:
    sku: str
    proposed: Decimal
    current: Decimal  # what would be ordered now: an earlier approver's quantity, else proposed
    unit_cost: Decimal
    line_value: Decimal  # of the quantity ordered now (`current`), to the cent
    explanation: str
    numbers: dict[str, Any]
    # For the chart (`web.chart`): what sold per period up to the run date, and
    # the length of the protection interval in periods and of one period in days.
    history: list[float] = field(default_factory=list)
    as_of: date | None = None
    protection_periods: float | None = None
    period_days: float | None = None
    history_periods: int | None = None  # periods since the first sale
    # In the "review changes" step: the quantity typed differs from `current`, and why the
    # supplier would refuse it ("" = accepted).
    changed: bool = False
    breach: str = ""


@dataclass(frozen=True)
class OrderPage:
    po_key: str
    person: str
    supplier: str
    location: str
    currency: str
    value: Decimal  # as proposed
    ordered_value: Decimal  # with the quantities a buyer set (what the ERP would get)
    status: str
    deadline: datetime | None
    money_at_stake: Decimal  # services.money_at_stake: the value the decision changes
    flags: list[FlagView]  # holding reasons first, then informing ones
    lines: list[LineView]
    decisions: list[DecisionView]  # who, when, through which channel, comment, quantities
    approvals: int
    required_approvals: int
    can_decide: bool
    in_place_of_approver: bool  # an administrator, not routed: deciding for the routed people
    waiting_for: list[str]
    # The "review changes" step: the value before the buyer's changes, and the changes as
    # one string the form posts back ("SKU=qty;..."), so Approve applies what was shown.
    value_before: Decimal | None = None
    reviewed: str = ""

    @property
    def holding(self) -> list[FlagView]:
        return [flag for flag in self.flags if flag.holds]

    @property
    def informing(self) -> list[FlagView]:
        return [flag for flag in self.flags if not flag.holds]

    @property
    def breaches(self) -> list[str]:
        return [f"{line.sku}: {line.breach}" for line in self.lines if line.breach]


@dataclass(frozen=True)
class DigestEntry:
    po_key: str
    supplier: str
    location: str
    currency: str
    value: Decimal
    money_at_stake: Decimal
    deadline: datetime
    reasons: list[str]  # holding reasons in words
    informing: list[str]  # what only informs, in words
    main_reason: str = ""


def order_page(
    uow_factory: Callable[[], UnitOfWork],
    policy: RoutingPolicy,
    grant: Grant,
    now: datetime,
    rules: FlagRules | None = None,
) -> OrderPage:
    """The order named by the grant, or `NotForYou` / `KeyError` (both show no data)."""
    assert grant.po_key is not None
    with uow_factory() as uow:
        po = uow.orders.get(grant.po_key)
        if po is None:
            raise KeyError(grant.po_key)
        routed = routed_people(po)
        admin = policy.is_administrator(grant.person)
        if routed and not same_person_in(grant.person, routed) and not admin:
            raise NotForYou(grant.person)
        if po.status in TAKEN_BACK:
            raise Withdrawn(_withdrawal(uow, po.po_key))
        earlier = uow.orders.decisions_on(po.id)
        forecasts = uow.reviews.forecasts(po.run_id, [(ln.sku, ln.location) for ln in po.lines])
        mine = any(person_key(d.decided_by) == grant.person for d in earlier)
        waiting = OrderStatus(po.status) in AWAITING_DECISION
        approvals = sum(d.outcome == "approved" for d in earlier)
        lines = [
            _line(line, forecasts.get((line.sku, line.location)), po.order_date)
            for line in po.lines
        ]
        return OrderPage(
            po_key=po.po_key,
            person=grant.person,
            supplier=po.supplier_name or po.supplier_id,
            location=po.location,
            currency=po.currency,
            value=po.value,
            ordered_value=sum((line.line_value for line in lines), Decimal("0.00")),
            status=po.status,
            deadline=decision_due(po, 0, now) if po.decision_due_at else None,
            money_at_stake=order_money_at_stake(po),
            flags=order_reasons(po, rules or FlagRules()),
            lines=lines,
            decisions=[decision_view(d, uow.orders.audit_trail(po.po_key)) for d in earlier],
            approvals=approvals,
            required_approvals=max(po.required_approvals or 1, 1),
            can_decide=waiting and not mine,
            in_place_of_approver=bool(routed) and not same_person_in(grant.person, routed),
            waiting_for=[p for p in routed if p != po.deputy] if waiting else [],
        )


def with_changes(page: OrderPage, quantities: Mapping[str, Decimal]) -> OrderPage:
    """The page as it would be with the typed quantities: each changed line's value and
    the order's value recomputed (the header keeps today's money at stake), and why the
    supplier would refuse a quantity. Nothing is stored: this is the "review changes"
    step before Approve."""
    lines = []
    for line in page.lines:
        typed = quantities.get(line.sku, line.current)
        if typed == line.current:
            lines.append(line)
            continue
        problem = quantity_problem(typed)
        if problem:  # no quantity at all: shown as refused, valued as the line stands
            lines.append(dataclasses.replace(line, changed=True, breach=problem))
            continue
        breach = SupplierTerms.of(line.numbers).breach(typed) or ""
        lines.append(dataclasses.replace(
            line, current=typed, line_value=line_value(typed, line.unit_cost), changed=True,
            breach=breach,
        ))  # fmt: skip
    value = sum((line.line_value for line in lines), Decimal("0.00"))
    changes = ";".join(f"{ln.sku}={ln.current.normalize():f}" for ln in lines if ln.changed)
    return dataclasses.replace(
        page,
        lines=lines,
        ordered_value=value,
        value_before=page.ordered_value,
        reviewed=changes,
    )


def reviewed_changes(page: OrderPage, quantities: Mapping[str, Decimal]) -> str:
    """The changes the typed quantities make, in the form `with_changes` shows them."""
    return with_changes(page, quantities).reviewed


def digest_page(
    uow_factory: Callable[[], UnitOfWork],
    policy: RoutingPolicy,
    grant: Grant,
    now: datetime,
    rules: FlagRules | None = None,
) -> list[DigestEntry]:
    """Every order still waiting for the person, most money at stake first."""
    with uow_factory() as uow:
        waiting = uow.reviews.waiting_for(grant.person)
        undecided = [
            po
            for po in waiting
            if not any(person_key(d.decided_by) == grant.person
                       for d in uow.orders.decisions_on(po.id))
        ]  # fmt: skip
        entries = []
        for po in undecided:
            reasons = order_reasons(po, rules or FlagRules())
            entries.append(DigestEntry(
                po_key=po.po_key,
                supplier=po.supplier_name or po.supplier_id,
                location=po.location,
                currency=po.currency,
                value=order_money_at_stake(po),
                money_at_stake=order_money_at_stake(po),
                deadline=decision_due(po, policy.review_hours, now),
                reasons=list(dict.fromkeys(r.words for r in reasons if r.holds)),
                informing=list(dict.fromkeys(r.words for r in reasons if not r.holds)),
                main_reason=main_reason(reasons),
            ))  # fmt: skip
    return sorted(entries, key=lambda e: (-e.money_at_stake, e.deadline))


def _withdrawal(uow: UnitOfWork, po_key: str) -> str:
    """'Purchase order K was withdrawn on ... by ... (rolled back: why).' from its audit."""
    taken = [
        record for record in uow.orders.audit_trail(po_key)
        if record.to_state in TAKEN_BACK and record.from_state not in TAKEN_BACK
    ]  # fmt: skip
    return withdrawal_sentence(po_key, taken[-1] if taken else None)


def _line(line: Any, forecast: Forecast | None, as_of: date) -> LineView:
    details = dict(line.details or {})
    periods = float(forecast.protection_periods) if forecast is not None else None
    days = (details.get("lead_time_days") or 0) + (details.get("review_period_days") or 0)
    return LineView(
        sku=line.sku,
        proposed=line.proposed_quantity,
        current=ordered_quantity(line),
        unit_cost=line.unit_cost,
        line_value=line_value(ordered_quantity(line), line.unit_cost),
        explanation=line.explanation,
        numbers=details,
        history=[float(v) for v in (forecast.history_tail or [])] if forecast else [],
        as_of=as_of,
        protection_periods=periods,
        period_days=days / periods if periods and days else None,
        history_periods=int(forecast.history_periods) if forecast is not None else None,
    )
