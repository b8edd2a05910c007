"""The operator's alert about a failed or crashed flow run: queued once, sent, and what
became of it; and how long a run's lease still has to run.

The use cases behind the `tell_operator` hook and the `operator-alert` flow. The alert is
queued under the run it is about (`services.operator_mail`) before any server is asked,
so the hook, the automation and the run that finds a dead one never send it twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from approvals.notifications import OutgoingMail
from integrations.email.base import Mailer
from services import crashed_runs, notifications, operator_mail
from services.notifications import Log
from storage.unit_of_work import UnitOfWork


def deliver_run_alert(
    uow: Callable[[], UnitOfWork],
    mailer: Mailer,
    mail: OutgoingMail,
    *,
    flow_run_id: str,
    flow_run_name: str,
    state: str,
    log: Log,
) -> bool:
    """Queue the alert once per flow run and send the queue; True when this alert has
    reached the mail server (now or before). One the server did not take stays queued
    and is named in its run's summary (`mail_waiting`)."""
    try:
        run_id = operator_mail.queue_run_alert(uow, flow_run_id, mail)
    except Exception:
        # The database is what failed: no queue to keep the alert in, so send it now.
        log.warning("No database to queue the alert for flow run %s", flow_run_id)
        mailer.send(mail.message)
        return True
    notifications.deliver_queued(uow, mailer, run_id, log=log)
    if operator_mail.alert_sent(uow, mail.dedupe_key):
        log.info("Told %s that flow run %s %s", mail.recipient, flow_run_name, state)
        return True
    waiting = notifications.waiting_mail(uow)
    if run_id is not None:
        operator_mail.note_mail_waiting(uow, run_id, waiting)
    log.error(
        "The alert about flow run %s stays queued for the next run (%s)",
        flow_run_name,
        waiting.last_error,
    )
    return False


def seconds_left_on_lease(
    uow: Callable[[], UnitOfWork], flow_run_id: str, log: Log
) -> float | None:
    """Seconds until the lease of this flow run's run ends (0 when it already has); None
    when there is nothing to close: no such run, it ended, or no database to ask."""
    try:
        until = crashed_runs.lease_of(uow, flow_run_id)
    except Exception:
        log.warning("No database to close the run of flow run %s", flow_run_id)
        return None
    if until is None:
        return None
    if until.tzinfo is None:
        until = until.replace(tzinfo=UTC)  # SQLite hands back naive datetimes
    return max(0.0, (until - datetime.now(UTC)).total_seconds())
