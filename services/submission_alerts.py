"""Tell the operator about orders the ERP keeps refusing or failing to take."""

from __future__ import annotations

from collections.abc import Callable

from approvals.operator_alerts import submission_failing
from integrations.email.base import Mailer
from services import notifications
from services.notifications import Log
from services.order_queries import failing_submissions
from settings import Settings
from storage.unit_of_work import UnitOfWork


def alert_failing_orders(
    uow: Callable[[], UnitOfWork], mailer: Mailer, settings: Settings, run_id: str, log: Log
) -> list[str]:
    """One e-mail per order the ERP rejected, or could not take `erp.alert_after_attempts`
    times (once per order: the mail queue's dedupe key); queued, then the queue sent."""
    failing = failing_submissions(uow, settings.erp.alert_after_attempts)
    mails = [
        submission_failing(
            sender=settings.email.sender,
            operator=settings.approvals.operator,
            po_key=key,
            attempts=attempts,
            error=error,
            rejected=rejected,
        )
        for key, attempts, error, rejected in failing
    ]
    if failing:
        log.error(
            "Orders failing in the ERP: %s", ", ".join(f"{k} ({n}x)" for k, n, _, _ in failing)
        )
    return notifications.send_mails(uow, mailer, run_id, mails, log=log)
