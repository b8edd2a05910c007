"""E-mails: review requests to approvers and data-quality alerts to the operator."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import pandas as pd
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from approvals import deadlines
from approvals.lifecycle import OrderStatus
from approvals.notifications import (
    FlagNote,
    OrderForReview,
    OutgoingMail,
    money,
    quality_alert,
    review_link,
    review_request,
)
from flows.ordering import Proposed, Review
from replenish.bootstrap import Services


@task(name="route", cache_policy=NO_CACHE)
def route(
    services: Services,
    run_id: str,
    as_of: date,
    review: Review,
    proposed: Proposed,
    suppliers: pd.DataFrame,
) -> list[str]:
    """One e-mail per approver for the orders created tonight that wait for a decision."""
    settings = services.settings
    created = proposed.created
    pending = [k for k in created if review.decisions[k] == OrderStatus.PENDING_REVIEW.value]
    # Sent tonight yet carrying a flag that only informs (a stock-out the order cannot
    # prevent): the buyer must still hear of it, or the warning is silent.
    warned = set(review.flags["po_key"]) - set(pending)
    notices = [k for k in created if k in warned]
    names = suppliers.set_index("supplier_id")["name"].to_dict()
    orders = review.plan.orders.set_index("po_key")
    by_approver: dict[str, list[OrderForReview]] = {}
    noticed: dict[str, list[OrderForReview]] = {}
    # Per approver and currency: amounts in different currencies are never added up.
    totals: dict[str, dict[str, float]] = {}
    hours: dict[str, int] = {}
    for key, order in orders.loc[pending].sort_values("value", ascending=False).iterrows():
        item = _for_review(review, str(key), order, names, settings.review_base_url)
        # An order that needs two approvals goes to both people at once; either may be first.
        for approver in _reviewers(review, str(key)):
            by_approver.setdefault(approver, []).append(item)
            mine = totals.setdefault(approver, {})
            currency = str(order["currency"])
            mine[currency] = mine.get(currency, 0.0) + float(order["value"])
            due = _deadline_hours(review, str(key), settings.approvals.review_hours)
            hours[approver] = min(hours.get(approver, due), due)
    for key, order in orders.loc[notices].sort_values("value", ascending=False).iterrows():
        item = _for_review(review, str(key), order, names, settings.review_base_url)
        noticed.setdefault(str(review.approvers[key]), []).append(item)
    now = datetime.now(UTC)
    mails = [
        review_request(
            sender=settings.email.sender,
            approver=approver,
            orders=by_approver.get(approver, []),
            total=" + ".join(money(v, c) for c, v in sorted(totals.get(approver, {}).items())),
            as_of=as_of,
            deadline=f"{now + timedelta(hours=hours.get(approver, 0)):%a %d %b %Y %H:%M} UTC",
            run_id=run_id,
            notices=noticed.get(approver, []),
        )
        for approver in dict.fromkeys([*by_approver, *noticed])
    ]
    return send(services, run_id, mails) + chase_deadlines(services, run_id)


def _for_review(
    review: Review, key: str, order: pd.Series, names: dict[str, str], base_url: str
) -> OrderForReview:
    notes = review.flags[review.flags["po_key"] == key]
    return OrderForReview(
        po_key=key,
        supplier_name=str(names.get(order["supplier_id"], order["supplier_id"])),
        location=str(order["location"]),
        value=money(order["value"], order["currency"]),
        line_count=int(order["line_count"]),
        link=review_link(base_url, key),
        flags=tuple(
            FlagNote(code=str(c), message=str(m), sku=s if isinstance(s, str) else None)
            for c, m, s in zip(notes["code"], notes["message"], notes["sku"], strict=True)
        ),
    )


def chase_deadlines(services: Services, run_id: str) -> list[str]:
    """Reminders, escalations to deputies and hold/expire for orders past their deadline."""
    settings = services.settings
    delivered: list[str] = []
    actions = deadlines.chase_deadlines(
        services.uow,
        settings.approvals,
        deadlines.Mailing(
            sender=settings.email.sender,
            operator=settings.approvals.operator,
            review_base_url=settings.review_base_url,
        ),
        lambda mails: delivered.extend(send(services, run_id, mails)),
        datetime.now(UTC),
    )
    if actions:
        steps = ", ".join(f"{a.po_key}: {a.step.value}" for a in actions)
        get_run_logger().info("Decision deadlines: %s", steps)
    return delivered


def _reviewers(review: Review, key: str) -> list[str]:
    people = [str(review.approvers[key])]
    if key in review.routing.index:
        second = review.routing.loc[key, "second_approver"]
        if isinstance(second, str) and second not in people:
            people.append(second)
    return people


def _deadline_hours(review: Review, key: str, default: int) -> int:
    if key in review.routing.index:
        return int(review.routing.loc[key, "deadline_hours"])
    return default


def send(services: Services, run_id: str, mails: Sequence[OutgoingMail]) -> list[str]:
    """Deliver each message once: a message already recorded is not sent again."""
    delivered: list[str] = []
    logger = get_run_logger()
    for mail in mails:
        with services.uow() as uow:
            if uow.runs.notification_sent(mail.dedupe_key):
                continue
            location = services.mailer.send(mail.message)
            uow.runs.record_notification(
                run_id,
                dedupe_key=mail.dedupe_key,
                kind=mail.kind,
                recipient=mail.recipient,
                subject=str(mail.message["Subject"]),
                location=location,
                sent_at=datetime.now(UTC),
            )
            uow.commit()
        logger.info("E-mailed %s: %s", mail.recipient, mail.message["Subject"])
        delivered.append(location)
    return delivered


@task(name="alert-data-quality", cache_policy=NO_CACHE)
def alert_data_quality(
    services: Services, run_id: str, as_of: date, breaches: list[str]
) -> list[str]:
    """Tell the operator the run stopped before ordering, and why."""
    settings = services.settings
    mail = quality_alert(
        sender=settings.email.sender,
        operator=settings.approvals.operator,
        breaches=breaches,
        as_of=as_of,
        run_id=run_id,
    )
    return send(services, run_id, [mail])
