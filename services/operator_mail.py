"""Operator alerts about a run go through the mail queue like every other e-mail.

The alert a failed or crashed flow run sends is written to the queue under the run it is
about before any server is asked; one the server cannot take stays queued, is retried by
every later flow that sends mail, and is named in the run's recorded summary
(`mail_waiting`), so an SMTP outage delays the operator's alert but never loses or hides it.
"""

from __future__ import annotations

from collections.abc import Callable

from approvals.notifications import OutgoingMail
from domain.actors import utcnow
from services.notifications import MailWaiting, enqueue
from storage.unit_of_work import UnitOfWork


def queue_run_alert(
    uow_factory: Callable[[], UnitOfWork], flow_run_id: str, mail: OutgoingMail
) -> str | None:
    """Queue the alert (once per dedupe key) under the run of this flow run; that run's id,
    or None when the flow run never reached `runs`."""
    with uow_factory() as uow:
        run = uow.runs.by_flow_run(flow_run_id)
        run_id = run.id if run is not None else None
        enqueue(uow, run_id, [mail], utcnow())
        uow.commit()
    return run_id


def alert_sent(uow_factory: Callable[[], UnitOfWork], dedupe_key: str) -> bool:
    """Has a server taken this alert (now or before)?"""
    with uow_factory() as uow:
        return uow.runs.notification_sent(dedupe_key)


def note_mail_waiting(
    uow_factory: Callable[[], UnitOfWork], run_id: str, waiting: MailWaiting
) -> None:
    """Name what still waits for the mail server in the run's recorded summary (its alert
    is sent after the summary was written)."""
    with uow_factory() as uow:
        uow.runs.note(run_id, "mail_waiting", waiting.as_dict())
        uow.commit()
