"""What happened: the latest runs, and one run's stored summary (`replenish runs`).

Read-only. Every flow records its runs in the `runs` table (the nightly run and the flows
beside it: submission, deadlines, monitoring), so an operator without the Prefect UI still
sees what ran, how it ended and why, and a monitoring night's accuracy per segment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from services.run_ids import UnknownRun, full_run_id
from storage.models import MonitoringResult, Run
from storage.monitoring import MonitoringRepository
from storage.runs import SIDE_RUN_SOURCES
from storage.unit_of_work import UnitOfWork

NIGHTLY = "nightly"
#: What `replenish runs --flow` takes: the nightly run, or one of the flows beside it.
FLOWS = (NIGHTLY, *SIDE_RUN_SOURCES)
SEGMENT_FIGURES = (
    "kind", "segment", "series", "forecasts", "mase", "rmsse", "bias", "coverage", "target",
    "baseline_rmsse", "baseline_bias", "drift", "reason",
)  # fmt: skip


@dataclass(frozen=True)
class RunEntry:
    """One row of the `runs` table as an operator reads it."""

    run_id: str
    as_of: date
    flow: str  # "nightly", or the flow beside it that recorded the run
    source: str  # the extract a nightly run read; the flow's name for the others
    status: str
    message: str
    started_at: datetime
    finished_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        finished = self.finished_at.isoformat() if self.finished_at else None
        return {
            "run_id": self.run_id, "as_of": self.as_of.isoformat(), "flow": self.flow,
            "source": self.source, "status": self.status, "message": self.message,
            "started_at": self.started_at.isoformat(), "finished_at": finished,
        }  # fmt: skip


@dataclass(frozen=True)
class RunReport:
    """A run and the summary it stored when it ended (`replenish run --json`'s object for a
    nightly run); a monitoring run adds its accuracy per segment."""

    run: RunEntry
    summary: dict[str, Any]
    segments: list[dict[str, Any]] = field(default_factory=list)


def recent_runs(
    uow_factory: Callable[[], UnitOfWork], last: int, flow: str | None = None
) -> list[RunEntry]:
    """The latest `last` runs, newest first; only those of one flow when `flow` is given."""
    if flow is not None and flow not in FLOWS:
        raise ValueError(f"unknown flow {flow!r}: one of {', '.join(FLOWS)}")
    with uow_factory() as uow:
        if flow == NIGHTLY:
            runs = uow.runs.recent(last, not_sources=SIDE_RUN_SOURCES)
        else:
            runs = uow.runs.recent(last, source=flow)
        return [_entry(run) for run in runs]


def run_report(uow_factory: Callable[[], UnitOfWork], run_id: str | None = None) -> RunReport:
    """The run `run_id` names (or its first 8 characters); without one, the latest night.

    Raises `UnknownRun` when there is no such run (or none yet)."""
    with uow_factory() as uow:
        if run_id is None:
            run = uow.runs.latest()
            if run is None:
                raise UnknownRun("no nightly run is recorded yet")
        else:
            run = uow.runs.get(full_run_id(uow, run_id))
            assert run is not None  # full_run_id found it
        segments = []
        if run.source == "monitoring":
            stored = MonitoringRepository(uow.session).results(run.id)
            segments = [_figures(result) for result in stored]
        summary = dict(run.summary or {})
        return RunReport(_entry(run), summary, segments)


def _entry(run: Run) -> RunEntry:
    return RunEntry(
        run_id=run.id,
        as_of=run.as_of,
        flow=run.source if run.source in SIDE_RUN_SOURCES else NIGHTLY,
        source=run.source,
        status=run.status,
        message=run.message or "",
        started_at=_utc(run.started_at),
        finished_at=_utc(run.finished_at) if run.finished_at else None,
    )


def _utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; every time the product writes is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _figures(result: MonitoringResult) -> dict[str, Any]:
    return {name: getattr(result, name) for name in SEGMENT_FIGURES}
