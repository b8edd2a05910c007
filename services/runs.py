"""Record a run: its start, what it read and repaired, what it forecast, and how it ended.

Each write is one unit of work, committed on its own: a run that dies later still
leaves behind what it had recorded (the operator sees how far it got). While it works, a
run renews its lease (`keep_alive`): a run killed outright stops renewing, and whoever
comes next marks it crashed (`services.crashed_runs`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd

from dataquality import ValidationResult
from domain.actors import utcnow
from forecasting import ForecastResult
from storage import records
from storage.leases import LEASE, lease_end, renewing
from storage.unit_of_work import UnitOfWork


def start_run(
    uow_factory: Callable[[], UnitOfWork],
    run_id: str,
    as_of: date,
    source: str,
    flow_run_id: str | None,
    *,
    now: datetime | None = None,
    lease: timedelta = LEASE,
) -> None:
    """The run exists (status `running`, with a lease) from its first second, whatever
    happens next."""
    now = now or utcnow()
    with uow_factory() as uow:
        until = lease_end(now, lease)
        uow.runs.start(run_id, as_of, source, now, flow_run_id, lease_until=until)
        uow.commit()


@contextmanager
def keep_alive(
    uow_factory: Callable[[], UnitOfWork], run_id: str, lease: timedelta = LEASE
) -> Iterator[None]:
    """Renew the run's lease while the block runs (a background thread; nothing happens
    until the row exists), so only a run whose process died is ever found dead. Renewed
    every quarter of the lease: a stall of three renewals never reads as a death."""

    def renew() -> None:
        with uow_factory() as uow:
            uow.runs.renew_lease(run_id, lease_end(lease=lease))
            uow.commit()

    with renewing(renew, every=lease / 4, name=f"lease of run {run_id}"):
        yield


def record_stood_aside(
    uow_factory: Callable[[], UnitOfWork],
    run_id: str,
    as_of: date,
    source: str,
    flow_run_id: str | None,
    message: str,
) -> None:
    """A run that found another one working: recorded, so every run is in `runs`."""
    now = utcnow()
    summary = {"run_id": run_id, "as_of": as_of.isoformat(), "status": "stood_aside",
               "message": message}  # fmt: skip
    with uow_factory() as uow:
        uow.runs.start(run_id, as_of, source, now, flow_run_id)
        uow.runs.finish(run_id, status="stood_aside", message=message, summary=summary,
                        finished_at=now)  # fmt: skip
        uow.commit()


def record_inputs(
    uow_factory: Callable[[], UnitOfWork], run_id: str, checked: ValidationResult
) -> None:
    """Per-file row counts and every repaired or quarantined row, with its reason."""
    with uow_factory() as uow:
        uow.runs.add_input_files(run_id, records.input_file_rows(checked.counts))
        uow.runs.add_dispositions(run_id, records.disposition_rows(checked.issues))
        uow.commit()


def record_forecasts(
    uow_factory: Callable[[], UnitOfWork],
    run_id: str,
    result: ForecastResult,
    items: pd.DataFrame | None = None,
) -> None:
    """Each series' class, model and distribution (the 'why' behind every quantity); with
    the item's supplier and category, the segments monitoring compares by."""
    summary = result.summary
    if items is not None:
        segments = items[["sku", "location", "supplier_id", "category"]].drop_duplicates(
            ["sku", "location"]
        )
        # The columns' sizes (storage.models.Forecast): a grouping label, not a record.
        segments = segments.assign(
            supplier_id=segments["supplier_id"].astype(str).str.slice(0, 64),
            category=segments["category"].astype(str).str.slice(0, 128),
        )
        summary = summary.merge(segments, on=["sku", "location"], how="left")
    with uow_factory() as uow:
        uow.runs.add_forecasts(run_id, records.forecast_rows(summary, result.path, result.history))
        uow.commit()


def finish_run(
    uow_factory: Callable[[], UnitOfWork],
    run_id: str,
    summary: Mapping[str, Any],
    *,
    now: datetime | None = None,
) -> None:
    """Close the run with its status, message and JSON summary (`replenish runs` reads it)."""
    with uow_factory() as uow:
        uow.runs.finish(
            run_id,
            status=str(summary["status"]),
            message=str(summary.get("message", "")),
            summary=summary,
            finished_at=now or utcnow(),
        )
        uow.commit()


def recorded_summary(
    uow_factory: Callable[[], UnitOfWork], flow_run_id: str
) -> dict[str, Any] | None:
    """The summary a flow run's run recorded when it closed (None: not recorded, or still
    running)."""
    with uow_factory() as uow:
        run = uow.runs.by_flow_run(flow_run_id)
        if run is None or run.status == "running" or not run.summary:
            return None
        return dict(run.summary)
