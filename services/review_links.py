"""Links to the review page minted on request (the operator's `replenish review link`,
the demo): only for a person the order was routed to, or an administrator."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from approvals.links import ReviewLinks
from approvals.policy import RoutingPolicy, same_person_in
from services.review_mail import decision_due
from services.review_pages import NotForYou
from storage.unit_of_work import UnitOfWork


class LinkExpired(Exception):
    """The link would be dead on arrival: the decision deadline it carries has passed
    (an order held past its deadline still waits, but no link opens it any more)."""

    def __init__(self, po_key: str | None, deadline: datetime) -> None:
        when = f"{deadline.astimezone(UTC):%d %b %Y at %H:%M} UTC"
        what = po_key or "every order waiting for this person"
        super().__init__(
            f"{what}: the decision deadline passed on {when}, so a link would not open"
        )
        self.po_key = po_key
        self.deadline = deadline


def order_link(
    uow_factory: Callable[[], UnitOfWork],
    links: ReviewLinks,
    policy: RoutingPolicy,
    po_key: str,
    person: str,
    now: datetime,
) -> str:
    """The link `person` may use for `po_key`, expiring at its deadline; `NotForYou`,
    `KeyError` or `LinkExpired` (the deadline has passed) otherwise."""
    with uow_factory() as uow:
        po = uow.orders.get(po_key)
        if po is None:
            raise KeyError(f"no purchase order {po_key}")
        routed = tuple(p for p in (po.approver, po.second_approver, po.deputy) if p)
        if routed and not same_person_in(person, routed) and not policy.is_administrator(person):
            raise NotForYou(f"{po_key} is not routed to {person}, who is not an administrator")
        due = decision_due(po, policy.review_hours, now)
    if due <= now:
        raise LinkExpired(po_key, due)
    return links.order_link(person, po_key, due)


def digest_link(
    uow_factory: Callable[[], UnitOfWork],
    links: ReviewLinks,
    policy: RoutingPolicy,
    person: str | None,
    now: datetime,
) -> str | None:
    """The digest link of `person` (None: whoever has the most orders waiting), valid
    until the last of their deadlines; None when nothing waits for them, `LinkExpired`
    when every deadline has passed."""
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
    if expires <= now:
        raise LinkExpired(None, expires)
    return links.digest_link(person, expires)


def value_link(
    links: ReviewLinks,
    policy: RoutingPolicy,
    administrator: str,
    person: str,
    now: datetime,
    days: int,
) -> str:
    """A link to the value report page for `person` (a business owner), minted by an
    administrator only: the page shows money and decisions across the whole business."""
    if not policy.is_administrator(administrator):
        raise NotForYou(f"{administrator} is not an administrator (approvals.administrators)")
    return links.value_link(person, now + timedelta(days=days))
