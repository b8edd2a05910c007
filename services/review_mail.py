"""The review e-mails of waiting orders, composed from the stored orders (pure).

One e-mail per person: every order that waits for them and that they were not told of
yet, most money at stake first, each with a link that names that person and that order
and stops working at the order's decision deadline, plus one link to their digest page.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from approvals.links import ReviewLinks
from approvals.notifications import FlagNote, OrderForReview, OutgoingMail, review_request
from approvals.policy import person_key
from domain.local_time import local_time, utc_time
from domain.money import format_money, format_totals
from flags import FlagRules
from services.money_at_stake import order_money_at_stake
from services.review_reasons import main_reason, order_reasons
from storage.models import PurchaseOrder


@dataclass(frozen=True)
class ReviewMailing:
    """What the review e-mails need from the settings."""

    sender: str
    default_approver: str
    review_hours: int
    links: ReviewLinks
    rules: FlagRules = field(default_factory=FlagRules)  # which flags hold (reasons in order)
    timezone: str = "UTC"  # the company's (`Settings.company_timezone`)


def money_at_stake(po: PurchaseOrder) -> Decimal:
    """The value the decision changes (`services.money_at_stake`, docs/flag-rules.md)."""
    return order_money_at_stake(po)


def decision_due(po: PurchaseOrder, hours: int, now: datetime) -> datetime:
    """The stored deadline (UTC); orders stored before deadlines existed get `hours` from now."""
    due = po.decision_due_at
    if due is None:
        return now + timedelta(hours=hours)
    return due if due.tzinfo else due.replace(tzinfo=UTC)


def still_to_decide(po: PurchaseOrder, decided: set[str], default_approver: str) -> list[str]:
    """Who is asked for this order: the approver, and the second approver of a
    two-approval order, less those who already gave their decision."""
    people = [po.approver or default_approver]
    if (po.required_approvals or 1) > 1 and po.second_approver:
        people.append(po.second_approver)
    unique = list(dict.fromkeys(person_key(p) for p in people))
    return [p for p in unique if p not in decided]


def review_mails(
    waiting: Sequence[PurchaseOrder],
    decided: Mapping[str, set[str]],
    notices: Mapping[PurchaseOrder, str],
    mailing: ReviewMailing,
    *,
    run_id: str,
    as_of: date,
    now: datetime,
) -> tuple[list[OutgoingMail], list[str]]:
    """The e-mails to queue, and the keys of the waiting orders they tell someone of."""
    asked: dict[str, list[PurchaseOrder]] = {}
    for po in sorted(waiting, key=money_at_stake, reverse=True):
        for person in still_to_decide(po, decided.get(po.po_key, set()), mailing.default_approver):
            asked.setdefault(person, []).append(po)
    told: dict[str, list[PurchaseOrder]] = {}
    for po, person in sorted(notices.items(), key=lambda item: -order_money_at_stake(item[0])):
        told.setdefault(person_key(person), []).append(po)
    mails = []
    for person in dict.fromkeys([*asked, *told]):
        mine = asked.get(person, [])
        dues = [decision_due(po, mailing.review_hours, now) for po in mine]
        later = now + timedelta(hours=mailing.review_hours)
        mail = review_request(
            sender=mailing.sender,
            approver=person,
            orders=[_item(po, person, due, mailing) for po, due in zip(mine, dues, strict=True)],
            total=_total(mine),
            as_of=as_of,
            deadline=(
                f"{local_time(min(dues), mailing.timezone)} ({utc_time(min(dues))})" if dues else ""
            ),
            run_id=run_id,
            notices=[_item(po, person, later, mailing) for po in told.get(person, [])],
            digest_link=mailing.links.digest_link(person, max(dues)) if dues else None,
        )
        # Per run: an order whose approval restarted is mailed again by a later run.
        mails.append(dataclasses.replace(mail, dedupe_key=f"{mail.dedupe_key}:{run_id}"))
    return mails, [po.po_key for po in waiting]


def _item(
    po: PurchaseOrder, person: str, expires: datetime, mailing: ReviewMailing
) -> OrderForReview:
    reasons = order_reasons(po, mailing.rules)
    return OrderForReview(
        po_key=po.po_key,
        supplier_name=po.supplier_name or po.supplier_id,
        location=po.location,
        value=format_money(order_money_at_stake(po), po.currency),
        line_count=len(po.lines),
        link=mailing.links.order_link(person, po.po_key, expires),
        flags=tuple(FlagNote(code=r.code, message=r.message, sku=r.sku) for r in reasons),
        reason=main_reason(reasons),
    )


def _total(orders: Sequence[PurchaseOrder]) -> str:
    """Per currency: amounts in different currencies are never added up."""
    totals: dict[str, Decimal] = {}
    for po in orders:
        totals[po.currency] = totals.get(po.currency, Decimal(0)) + order_money_at_stake(po)
    return format_totals(dict(sorted(totals.items())))
