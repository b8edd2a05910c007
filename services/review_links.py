"""Links to the review page minted on request (the operator's `replenish review link`,
the demo): only for a person the order was routed to, or an administrator."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime

from approvals.links import ReviewLinks
from approvals.policy import RoutingPolicy, same_person_in
from services.review_mail import decision_due
from services.review_pages import NotForYou
from storage.unit_of_work import UnitOfWork


def order_link(
    uow_factory: Callable[[], UnitOfWork],
    links: ReviewLinks,
    policy: RoutingPolicy,
    po_key: str,
    person: str,
    now: datetime,
) -> str:
    """The link `person` may use for `po_key`, expiring at its deadline; `NotForYou` or
    `KeyError` otherwise."""
    with uow_factory() as uow:
        po = uow.orders.get(po_key)
        if po is None:
            raise KeyError(f"no purchase order {po_key}")
        routed = tuple(p for p in (po.approver, po.second_approver, po.deputy) if p)
        if routed and not same_person_in(person, routed) and not policy.is_administrator(person):
            raise NotForYou(f"{po_key} is not routed to {person}, who is not an administrator")
        return links.order_link(person, po_key, decision_due(po, policy.review_hours, now))


def digest_link(
    uow_factory: Callable[[], UnitOfWork],
    links: ReviewLinks,
    policy: RoutingPolicy,
    person: str | None,
    now: datetime,
) -> str | None:
    """The digest link of `person` (None: whoever has the most orders waiting), valid
    until the last of their deadlines; None when nothing waits for them."""
    with uow_factory() as uow:
        waiting = uow.orders.waiting_for_decision()
        if person is None:
            counts = Counter(po.approver for po in waiting if po.approver)
            if not counts:
                return None
            person = counts.most_common(1)[0][0]
        mine = uow.reviews.waiting_for(person)
        if not mine:
            return None
        expires = max(decision_due(po, policy.review_hours, now) for po in mine)
    return links.digest_link(person, expires)
