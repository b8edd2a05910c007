"""E-mails: review requests to approvers and data-quality alerts to the operator.

Orchestration only: what to say and to whom is `services.notifications`, which queues
every message in the database before sending it, so none is lost to an SMTP outage.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from approvals.notifications import OutgoingMail, quality_alert
from domain.nightly import Proposed, Review
from integrations.erp.approval import ApprovingErp
from replenish.bootstrap import Services
from services import notifications
from services.mailings import deadline_mailing, review_mailing


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
    mailing = review_mailing(services.settings, services.links)
    logger = get_run_logger()
    delivered = notifications.route_and_notify(
        services.uow, services.mailer, mailing, run_id=run_id, as_of=as_of, review=review,
        proposed=proposed, log=logger, approval_in_erp=approval_in_erp(services),
    )  # fmt: skip
    delivered += chase_deadlines(services, run_id)
    _raise_if_queued(services)
    return delivered


def approval_in_erp(services: Services) -> bool:
    """True when the ERP's own approvers decide flagged orders (erp.tryton.approval)."""
    erp = services.erp
    return isinstance(erp, ApprovingErp) and erp.approves_in_erp()


class MailStillQueued(RuntimeError):
    """E-mails the mail server did not take: they stay queued (nothing is lost) and the
    stage fails, so Prefect retries it and the run ends partial, not green, until a
    later run or retry delivers them."""


def _raise_if_queued(services: Services) -> None:
    waiting, last_error = notifications.still_queued(services.uow)
    if waiting:
        raise MailStillQueued(
            f"{waiting} e-mails stay queued for the next run (last error: {last_error})"
        )


def chase_deadlines(services: Services, run_id: str) -> list[str]:
    """Reminders, escalations to deputies and hold/expire for orders past their deadline."""
    mailing = deadline_mailing(services.settings, services.links)
    logger = get_run_logger()
    actions, delivered = notifications.chase_deadlines(
        services.uow, services.mailer, services.settings.approvals, mailing, run_id, log=logger,
        approval_in_erp=approval_in_erp(services),
    )  # fmt: skip
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
        sender=settings.email.sender, operator=settings.approvals.operator,
        breaches=breaches, as_of=as_of, run_id=run_id,
    )  # fmt: skip
    return send(services, run_id, [mail])


def mail_waiting(services: Services) -> dict[str, Any] | None:
    """What the mail server has not taken (the operator alerts among it by subject), for
    a run summary; None when the database cannot say (it is what failed)."""
    try:
        return notifications.waiting_mail(services.uow).as_dict()
    except Exception:
        get_run_logger().warning("Could not read the mail queue for the run summary")
        return None


def retry_queue(services: Services, run_id: str) -> dict[str, Any] | None:
    """Send whatever the mail queue still holds (an operator alert of an earlier run the
    mail server refused, too) and say what still waits. Never raises: a run's close must
    record its own outcome."""
    try:
        notifications.deliver_queued(services.uow, services.mailer, run_id, log=get_run_logger())
    except Exception:
        get_run_logger().exception("Could not send the mail queue")
    return mail_waiting(services)
