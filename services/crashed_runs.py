"""Runs whose process died: found, closed as `crashed`, and told to the operator.

A run killed with SIGKILL, out of memory or on a machine that stopped runs no `finally`
and no hook: its row stays `running` and its lease (storage.leases) stops moving. Whoever
comes next finds it: the next nightly run (holding the nightly lock, it knows no other
night is alive), any flow beside it (submit-approved, chase-deadlines, monitoring), or
the operator-alert flow that Prefect's crash automation starts. The row is closed as
`crashed` and one alert is queued for it in the same transaction, so a death is neither
missed nor told twice, whoever finds it first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from approvals.notifications import OutgoingMail
from domain.actors import utcnow
from services.notifications import enqueue
from storage.leases import LEASE
from storage.models import Run
from storage.runs import SIDE_RUN_SOURCES
from storage.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class CrashedRun:
    """A run found dead, with the sentence recorded in `runs.message`."""

    run_id: str
    flow_run_id: str | None
    as_of: date
    source: str
    message: str
    nightly: bool  # else one of the flows beside it (storage.runs.SIDE_RUN_SOURCES)


def reclaim_dead_runs(
    uow_factory: Callable[[], UnitOfWork],
    alert: Callable[[CrashedRun], OutgoingMail],
    *,
    found_by: str,
    nightly_lock_held: bool = False,
    exclude: str | None = None,
    now: datetime | None = None,
    lease: timedelta = LEASE,
) -> list[CrashedRun]:
    """Close every dead run as `crashed` and queue `alert(run)` for it (sent by the
    caller's next delivery of the queue). `exclude`: the caller's own run."""
    now = now or utcnow()
    crashed = []
    with uow_factory() as uow:
        for row in uow.runs.dead(now, nightly_lock_held=nightly_lock_held):
            if row.id == exclude:
                continue
            found = CrashedRun(
                row.id,
                row.flow_run_id,
                row.as_of,
                row.source,
                _message(row, found_by, lease),
                nightly=row.source not in SIDE_RUN_SOURCES,
            )
            if uow.runs.mark_crashed(row.id, found.message, now):
                enqueue(uow, row.id, [alert(found)], now)
                crashed.append(found)
        uow.commit()
    return crashed


def lease_of(uow_factory: Callable[[], UnitOfWork], flow_run_id: str) -> datetime | None:
    """When the run of this flow run stops counting as alive, if it is still `running`
    (None: no such run, or it ended)."""
    with uow_factory() as uow:
        run = uow.runs.by_flow_run(flow_run_id)
        if run is None or run.status != "running":
            return None
        return run.lease_until


def _message(run: Run, found_by: str, lease: timedelta) -> str:
    last = run.lease_until - lease if run.lease_until is not None else run.started_at
    return (
        f"no sign of life since {last:%Y-%m-%d %H:%M:%S} UTC (the process was "
        f"killed, ran out of memory or its machine stopped); found by {found_by}"
    )
