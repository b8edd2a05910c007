"""Tell people what waits for them, and never lose an e-mail on the way.

Every message is written to the mail queue (in the same transaction as the fact that it
was due) before any server is asked to take it; a message the server refuses or cannot
take stays queued with the reason and is retried by every later run. A run e-mails
every order still waiting whose approvers were not told yet, whichever run proposed it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from email import message_from_string
from email import policy as email_policy
from email.message import EmailMessage
from typing import Any

from approvals.escalation import DeadlineAction
from approvals.notifications import OutgoingMail
from approvals.operator_alerts import OPERATOR_ALERT_KINDS
from approvals.policy import RoutingPolicy, person_key
from domain.lifecycle import OrderStatus
from domain.nightly import Proposed, Review
from integrations.email.base import Mailer, MailError
from services import deadlines
from services.review_mail import ReviewMailing, review_mails
from storage.unit_of_work import UnitOfWork

Log = logging.Logger | logging.LoggerAdapter[logging.Logger]


def route_and_notify(
    uow_factory: Callable[[], UnitOfWork],
    mailer: Mailer,
    mailing: ReviewMailing,
    *,
    run_id: str,
    as_of: date,
    review: Review,
    proposed: Proposed,
    now: datetime | None = None,
    log: Log | None = None,
    approval_in_erp: bool = False,
) -> list[str]:
    """Tonight's routing step: e-mail every approver about the orders waiting for them
    (tonight's and earlier ones), and tell the buyers of tonight's orders that were sent
    despite a flag that only informs (`warning_notices`).

    With approval inside the ERP (`approval_in_erp`) nobody gets a review request: the
    orders wait in the ERP, whose approvers decide there, and a link to our review page
    would invite a second, competing decision. They stay un-notified here, so switching
    back to approval in replenish mails them then."""
    return notify_reviewers(
        uow_factory, mailer, mailing, run_id=run_id, as_of=as_of,
        notices=warning_notices(review, proposed), now=now, log=log,
        review_requests=not approval_in_erp,
    )  # fmt: skip


def warning_notices(review: Review, proposed: Proposed) -> dict[str, str]:
    """po_key -> person, for the orders created tonight that carry a flag yet were not held
    for review (a stock-out the order cannot prevent): the buyer must still hear of it,
    or the warning is silent. A shadow order is nobody's business yet: no buyer hears of
    it (rollout mode shadow)."""
    unsent = (OrderStatus.PENDING_REVIEW, OrderStatus.SHADOW)
    pending = {key for key in proposed.created if review.decisions[key] in unsent}
    warned = set(review.flags["po_key"]) - pending
    return {key: str(review.approvers[key]) for key in proposed.created if key in warned}


def notify_reviewers(
    uow_factory: Callable[[], UnitOfWork],
    mailer: Mailer,
    mailing: ReviewMailing,
    *,
    run_id: str,
    as_of: date,
    notices: Mapping[str, str],
    now: datetime | None = None,
    log: Log | None = None,
    review_requests: bool = True,
) -> list[str]:
    """Queue one e-mail per person for the waiting orders not yet notified (and tonight's
    orders sent with a warning, `notices`: po_key -> person), then send the queue.
    `review_requests=False` (approval inside the ERP): the notices only."""
    now = now or datetime.now(UTC)
    with uow_factory() as uow:
        # Claimed by a conditional update: two overlapping runs never mail one order twice.
        unnotified = uow.reviews.not_yet_notified() if review_requests else []
        waiting = [po for po in unnotified if uow.reviews.claim_notice(po.po_key, now)]
        decided = {
            po.po_key: {person_key(d.decided_by) for d in uow.orders.decisions_on(po.id)}
            for po in waiting
        }
        told = {po: notices[po.po_key] for po in uow.reviews.orders(notices)}
        mails, _ = review_mails(
            waiting, decided, told, mailing, run_id=run_id, as_of=as_of, now=now
        )
        enqueue(uow, run_id, mails, now)
        uow.commit()
    return deliver_queued(uow_factory, mailer, run_id, now=now, log=log)


def send_mails(
    uow_factory: Callable[[], UnitOfWork],
    mailer: Mailer,
    run_id: str,
    mails: Sequence[OutgoingMail],
    *,
    log: Log | None = None,
) -> list[str]:
    """Queue the messages (once per dedupe key) and send everything queued."""
    now = datetime.now(UTC)
    with uow_factory() as uow:
        enqueue(uow, run_id, mails, now)
        uow.commit()
    return deliver_queued(uow_factory, mailer, run_id, now=now, log=log)


def chase_deadlines(
    uow_factory: Callable[[], UnitOfWork],
    mailer: Mailer,
    policy: RoutingPolicy,
    mailing: deadlines.Mailing,
    run_id: str,
    *,
    now: datetime | None = None,
    log: Log | None = None,
    approval_in_erp: bool = False,
) -> tuple[list[DeadlineAction], list[str]]:
    """Reminders, escalations and hold/expire for overdue orders; their mail is queued.
    With approval inside the ERP the deadlines still hold and expire orders (the next
    ERP pass cancels their quotations), but no reminder points at our review page."""
    delivered: list[str] = []

    def deliver(mails: Sequence[OutgoingMail]) -> None:
        if not approval_in_erp:
            delivered.extend(send_mails(uow_factory, mailer, run_id, mails, log=log))

    actions = deadlines.chase_deadlines(
        uow_factory, policy, mailing, deliver, now or datetime.now(UTC)
    )
    return actions, delivered


def deliver_queued(
    uow_factory: Callable[[], UnitOfWork],
    mailer: Mailer,
    run_id: str | None,
    *,
    now: datetime | None = None,
    log: Log | None = None,
) -> list[str]:
    """Send every queued message; one that fails stays queued for the next run.

    The row is locked while its message is handed over (FOR UPDATE SKIP LOCKED on
    PostgreSQL), so two runs at once never send one message twice. `run_id`: the run that
    sends them, for the notifications ledger (None: an alert sent by the failure hook of a
    run the database never recorded).
    """
    log = log or logging.getLogger(__name__)
    with uow_factory() as uow:
        ids = [mail.id for mail in uow.mail.unsent()]
    delivered = []
    for mail_id in ids:
        with uow_factory() as uow:
            mail = uow.mail.claim(mail_id)
            if mail is None:
                continue  # another run sent it meanwhile
            at = now or datetime.now(UTC)
            try:
                location = mailer.send(_message(mail.message))
            except MailError as error:
                uow.mail.failed(mail, str(error), at)
                uow.commit()
                log.error("E-mail to %s stays queued (attempt %d): %s",
                          mail.recipient, mail.attempts, error)  # fmt: skip
                continue
            uow.mail.sent(mail, location, at, run_id)
            uow.commit()
            log.info("E-mailed %s: %s", mail.recipient, mail.subject)
        delivered.append(location)
    return delivered


def still_queued(uow_factory: Callable[[], UnitOfWork]) -> tuple[int, str]:
    """How many messages wait in the queue, and the last reason a server gave."""
    waiting = waiting_mail(uow_factory)
    return waiting.messages, (waiting.last_error or "unknown") if waiting.messages else ""


@dataclass(frozen=True)
class MailWaiting:
    """What the mail server has not taken yet: in every run summary (`mail_waiting`), so
    an operator alert that cannot be sent is seen, not only logged."""

    messages: int
    operator_alerts: list[str]  # their subjects, oldest first
    last_error: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def waiting_mail(uow_factory: Callable[[], UnitOfWork]) -> MailWaiting:
    """Every message still queued; of them, the operator alerts by subject."""
    with uow_factory() as uow:
        waiting = uow.mail.unsent()
        alerts = [m.subject for m in waiting if m.kind in OPERATOR_ALERT_KINDS]
        last = next((m.last_error for m in reversed(waiting) if m.last_error), None)
        return MailWaiting(len(waiting), alerts, last)


def enqueue(
    uow: UnitOfWork, run_id: str | None, mails: Sequence[OutgoingMail], now: datetime
) -> None:
    """Write the messages to the queue (once per dedupe key), in the caller's transaction:
    the fact that made them due and the messages commit together."""
    for mail in mails:
        uow.mail.enqueue(
            dedupe_key=mail.dedupe_key,
            run_id=run_id,
            kind=mail.kind,
            recipient=mail.recipient,
            subject=str(mail.message["Subject"]),
            message=mail.message.as_string(),
            at=now,
        )


def _message(text: str) -> EmailMessage:
    parsed = message_from_string(text, policy=email_policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed
