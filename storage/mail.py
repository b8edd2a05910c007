"""The mail queue: e-mails written down before they are sent, until a server takes them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import Notification, QueuedMail


class MailQueueRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def enqueue(
        self,
        *,
        dedupe_key: str,
        run_id: str | None,
        kind: str,
        recipient: str,
        subject: str,
        message: str,
        at: datetime,
    ) -> bool:
        """Queue a message once per dedupe key; False when it was queued or sent before.

        The unique key makes a re-run (or two overlapping runs) queue a message once.
        """
        if self._known(dedupe_key):
            return False
        try:
            with self.session.begin_nested():
                self.session.execute(
                    insert(QueuedMail).values(
                        dedupe_key=dedupe_key, run_id=run_id, kind=kind, recipient=recipient,
                        subject=subject, message=message, queued_at=at, attempts=0,
                    )
                )  # fmt: skip
        except IntegrityError:
            return False
        return True

    def unsent(self) -> list[QueuedMail]:
        """Every message still waiting for a server, oldest first."""
        return list(
            self.session.scalars(
                select(QueuedMail).where(QueuedMail.sent_at.is_(None)).order_by(QueuedMail.id)
            )
        )

    def claim(self, mail_id: int) -> QueuedMail | None:
        """The message, locked, if it is still unsent: two runs never send it twice."""
        return self.session.scalar(
            select(QueuedMail)
            .where(QueuedMail.id == mail_id, QueuedMail.sent_at.is_(None))
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )

    def sent(self, mail: QueuedMail, location: str, at: datetime, run_id: str | None) -> None:
        """Mark it sent, and note it in the notifications ledger under the run that sent it."""
        mail.attempts += 1
        mail.last_attempt_at = at
        mail.sent_at = at
        mail.location = location
        mail.last_error = None
        self.session.add(
            Notification(
                run_id=run_id, dedupe_key=mail.dedupe_key, kind=mail.kind,
                recipient=mail.recipient, subject=mail.subject, location=location, sent_at=at,
            )
        )  # fmt: skip
        self.session.flush()

    def failed(self, mail: QueuedMail, error: str, at: datetime) -> None:
        """Keep it queued with the reason; the next run tries again."""
        mail.attempts += 1
        mail.last_attempt_at = at
        mail.last_error = error
        self.session.flush()

    def _known(self, dedupe_key: str) -> bool:
        queued = self.session.scalar(
            select(QueuedMail.id).where(QueuedMail.dedupe_key == dedupe_key)
        )
        if queued is not None:
            return True
        sent = self.session.scalar(
            select(Notification.id).where(Notification.dedupe_key == dedupe_key)
        )
        return sent is not None
