"""E-mails: review requests to approvers and data-quality alerts to the operator.

Orchestration only: what to say and to whom is `services.notifications`, which queues
every message in the database before sending it, so none is lost to an SMTP outage.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from approvals import deadlines
from approvals.lifecycle import OrderStatus
from approvals.notifications import OutgoingMail, quality_alert
from flows.ordering import Proposed, Review
from replenish.bootstrap import Services
from services import notifications
from services.review_mail import ReviewMailing


@task(name="route", cache_policy=NO_CACHE)
def route(
    services: Services,
    run_id: str,
    as_of: date,
    review: Review,
    proposed: Proposed,
) -> list[str]:
    """One e-mail per approver: every order waiting for them that they were not told of
    yet (tonight's and any earlier run's), tonight's orders sent with a warning, then
    reminders and escalations of overdue orders. Mail that cannot be sent stays queued."""
    settings = services.settings
    pending = {k for k in proposed.created if review.decisions[k] == OrderStatus.PENDING_REVIEW}
    # Sent tonight yet carrying a flag that only informs (a stock-out the order cannot
    # prevent): the buyer must still hear of it, or the warning is silent.
    warned = set(review.flags["po_key"]) - pending
    notices = {k: str(review.approvers[k]) for k in proposed.created if k in warned}
    mailing = ReviewMailing(
        sender=settings.email.sender,
        default_approver=settings.approvals.default_approver,
        review_hours=settings.approvals.review_hours,
        links=services.links,
    )
    logger = get_run_logger()
    delivered = notifications.notify_reviewers(
        services.uow, services.mailer, mailing, run_id=run_id, as_of=as_of, notices=notices,
        log=logger,
    )  # fmt: skip
    delivered += chase_deadlines(services, run_id)
    _raise_if_queued(services)
    return delivered


class MailStillQueued(RuntimeError):
    """E-mails the mail server did not take: they stay queued (nothing is lost) and the
    stage fails, so Prefect retries it and the run ends partial, not green, until a
    later run or retry delivers them."""


def _raise_if_queued(services: Services) -> None:
    with services.uow() as uow:
        waiting = uow.mail.unsent()
        if waiting:
            raise MailStillQueued(
                f"{len(waiting)} e-mails stay queued for the next run "
                f"(last error: {waiting[-1].last_error or 'unknown'})"
            )


def chase_deadlines(services: Services, run_id: str) -> list[str]:
    """Reminders, escalations to deputies and hold/expire for orders past their deadline."""
    settings = services.settings
    mailing = deadlines.Mailing(
        sender=settings.email.sender, operator=settings.approvals.operator, links=services.links
    )
    logger = get_run_logger()
    actions, delivered = notifications.chase_deadlines(
        services.uow, services.mailer, settings.approvals, mailing, run_id, log=logger
    )
    if actions:
        steps = ", ".join(f"{a.po_key}: {a.step.value}" for a in actions)
        logger.info("Decision deadlines: %s", steps)
    return delivered


def send(services: Services, run_id: str, mails: Sequence[OutgoingMail]) -> list[str]:
    """Queue the messages (once per dedupe key) and send the queue."""
    return notifications.send_mails(
        services.uow, services.mailer, run_id, mails, log=get_run_logger()
    )


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
