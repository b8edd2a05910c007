"""The one date a run plans for: its scheduled start, read in the schedule's time zone.

The nightly schedule fires at 01:30 Europe/Berlin. Taken in UTC (or in the worker's local
zone) that instant is still the previous day all summer (23:30 UTC), and every order,
order day and demand cut-off would be one day early. Every command (the nightly flow,
`replenish run`, `simulate`, `backtest`, `sample-data`, `demo`) dates its work here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def run_date(timezone: str, scheduled: datetime | None = None) -> date:
    """The calendar day, in `timezone`, of `scheduled` (default: now).

    A naive `scheduled` is taken as UTC (Prefect's API speaks UTC).
    """
    instant = scheduled or datetime.now(UTC)
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(ZoneInfo(timezone)).date()


def scheduled_start() -> datetime | None:
    """The current flow run's scheduled start time, or None outside a flow run.

    A run started late (a worker down for an hour, a retry) still plans for the night it
    was scheduled for, not the day it happened to start.
    """
    from prefect.runtime import flow_run

    if flow_run.get_id() is None:
        return None
    start = flow_run.scheduled_start_time
    return start if isinstance(start, datetime) else None
