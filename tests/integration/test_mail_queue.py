"""E-mail is never lost: a message the SMTP server cannot take stays queued in the
database and goes out with the next run; a run tells approvers of every waiting order
they were not told of yet, whichever run proposed it. Real SMTP server on loopback."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from order_factory import pending_order, uow_factory
from smtp_inbox import Inbox, free_port, plain_text, smtp_server
from sqlalchemy import Engine, select

from approvals.links import ReviewLinks
from integrations.email.smtp import SmtpMailer
from services.notifications import notify_reviewers
from services.review_mail import ReviewMailing
from storage.models import Notification, QueuedMail

LINKS = ReviewLinks("mail-queue-test-secret-" + "q" * 16, "http://review.test")


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        yield inbox, port


def mailer(port: int) -> SmtpMailer:
    return SmtpMailer("127.0.0.1", port, attempts=1, timeout=5, sleep=lambda _: None)


def notify(engine: Engine, port: int) -> list[str]:
    uows = uow_factory(engine)
    run_id = uuid.uuid4().hex
    with uows() as uow:
        uow.runs.start(run_id, date(2026, 11, 26), "/data", datetime.now(UTC), None)
        uow.commit()
    mailing = ReviewMailing("replenish@x", "buyer@example.com", 24, LINKS)
    return notify_reviewers(
        uows, mailer(port), mailing, run_id=run_id, as_of=date(2026, 11, 26), notices={}
    )


def test_mail_that_cannot_be_sent_stays_queued_and_goes_out_with_the_next_run(
    engine: Engine, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    person = f"queue-{uuid.uuid4().hex[:8]}@example.com"
    due = datetime.now(UTC) + timedelta(hours=30)
    # Proposed by an earlier run and never mailed (that run's SMTP was down, say).
    key = pending_order(
        uow_factory(engine), approver=person, decision_due_at=due, review_notified_at=None
    )
    notify(engine, free_port())  # nothing listens there: the server is "down"
    with uow_factory(engine)() as uow:
        queued = uow.session.scalars(select(QueuedMail).where(QueuedMail.recipient == person)).all()
    assert len(queued) == 1
    assert queued[0].sent_at is None
    assert queued[0].attempts == 1
    assert "failed" in (queued[0].last_error or "")
    assert inbox.to(person) == []

    notify(engine, port)  # the next run: the server is back
    received = inbox.to(person)
    assert len(received) == 1
    text = plain_text(received[0])
    link = next(word for word in text.split() if f"/orders/{key}/" in word)
    grant = LINKS.read_order(link.rsplit("/", 1)[-1], key, datetime.now(UTC))
    assert grant.person == person
    assert abs((grant.expires_at - due).total_seconds()) < 1  # expires with the deadline
    with uow_factory(engine)() as uow:
        mail = uow.session.scalar(select(QueuedMail).where(QueuedMail.recipient == person))
        sent = uow.session.scalars(
            select(Notification).where(Notification.recipient == person)
        ).all()
    assert mail is not None
    assert mail.sent_at is not None
    assert mail.attempts == 2
    assert len(sent) == 1

    notify(engine, port)  # and never twice
    assert len(inbox.to(person)) == 1
