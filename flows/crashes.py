"""Find the runs whose process died and tell the operator (services.crashed_runs).

Called by the nightly run once it holds the nightly lock (every other nightly run still
`running` is then dead), by every flow beside it and by the operator-alert flow; a run is
closed and told once, by whoever finds it first.
"""

from __future__ import annotations

import logging

from prefect.logging import get_logger
from prefect.utilities.urls import url_for

from approvals.notifications import OutgoingMail
from approvals.operator_alerts import run_failed
from replenish.bootstrap import Services
from services import notifications
from services.crashed_runs import CrashedRun, reclaim_dead_runs

logger: logging.Logger = get_logger("replenish.crashes")

# What the operator sees in Prefect: the flow behind each kind of recorded run.
_FLOW_NAMES = {"monitoring": "forecast-monitoring"}


def reclaim(
    services: Services, run_id: str | None, *, found_by: str, nightly_lock_held: bool = False
) -> list[CrashedRun]:
    """Close every dead run as crashed, alert the operator about each (through the mail
    queue), and send the queue. `run_id`: the caller's own run, never counted dead."""
    settings = services.settings

    def alert(run: CrashedRun) -> OutgoingMail:
        return run_failed(
            sender=settings.email.sender,
            operator=settings.approvals.operator,
            flow_name=flow_name(run),
            flow_run_name=f"of {run.as_of} ({run.run_id[:8]})",
            flow_run_id=run.flow_run_id or run.run_id,
            state="Crashed",
            cause=run.message,
            url=url_for("flow-run", obj_id=run.flow_run_id) if run.flow_run_id else None,
        )

    found = reclaim_dead_runs(
        services.uow,
        alert,
        found_by=found_by,
        nightly_lock_held=nightly_lock_held,
        exclude=run_id,
        lease=settings.run.lease,
    )
    for run in found:
        logger.error("Run %s of %s (%s) %s", run.run_id, run.as_of, run.source, run.message)
    if found:
        notifications.deliver_queued(services.uow, services.mailer, run_id, log=logger)
    return found


def flow_name(run: CrashedRun) -> str:
    """The Prefect flow a recorded run belongs to (`runs.source` of a nightly run is where
    it read its extract; the flows beside it record their own name)."""
    if run.nightly:
        return "nightly-replenishment"
    return _FLOW_NAMES.get(run.source, run.source)
