"""Runs and what each one read, repaired, quarantined, forecast and e-mailed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from storage.models import Forecast, InputFile, Notification, RowDisposition, Run

#: `runs.source` of the flows beside the nightly run (flows.side_runs).
SIDE_RUN_SOURCES = ("submit-approved", "chase-deadlines", "monitoring")


class RunRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def start(
        self, run_id: str, as_of: date, source: str, started_at: datetime, flow_run_id: str | None
    ) -> Run:
        run = Run(
            id=run_id,
            as_of=as_of,
            source=source,
            status="running",
            message="",
            flow_run_id=flow_run_id,
            started_at=started_at,
        )
        self.session.add(run)
        self.session.flush()
        return run

    def get(self, run_id: str) -> Run | None:
        return self.session.get(Run, run_id)

    def by_flow_run(self, flow_run_id: str) -> Run | None:
        """The run a Prefect flow run recorded (for alerts about that flow run)."""
        return self.session.scalar(
            select(Run)
            .where(Run.flow_run_id == flow_run_id)
            .order_by(Run.started_at.desc())
            .limit(1)
        )

    def latest(self) -> Run | None:
        """The latest nightly run (the submission, deadline and monitoring flows record
        runs too, without input rows)."""
        return self.session.scalar(
            select(Run)
            .where(Run.source.not_in(SIDE_RUN_SOURCES))
            .order_by(Run.started_at.desc())
            .limit(1)
        )

    def finish(
        self,
        run_id: str,
        status: str,
        message: str,
        summary: Mapping[str, Any],
        finished_at: datetime,
    ) -> None:
        run = self.session.get(Run, run_id)
        if run is None:
            raise KeyError(f"no run {run_id}")
        run.status = status
        run.message = message
        run.summary = dict(summary)
        run.finished_at = finished_at
        self.session.flush()

    def add_input_files(self, run_id: str, counts: Sequence[Mapping[str, Any]]) -> None:
        self._bulk(InputFile, run_id, counts)

    def add_dispositions(self, run_id: str, rows: Sequence[Mapping[str, Any]]) -> None:
        self._bulk(RowDisposition, run_id, rows)

    def add_forecasts(self, run_id: str, rows: Sequence[Mapping[str, Any]]) -> None:
        self._bulk(Forecast, run_id, rows)

    def dispositions(self, run_id: str, disposition: str = "quarantined") -> list[RowDisposition]:
        return list(
            self.session.scalars(
                select(RowDisposition)
                .where(RowDisposition.run_id == run_id, RowDisposition.disposition == disposition)
                .order_by(RowDisposition.file, RowDisposition.line)
            )
        )

    def quarantine_trend(self) -> list[tuple[date, str, float]]:
        """Share of quarantined rows per file per night: is a source getting worse?"""
        rows = self.session.execute(
            select(
                Run.as_of,
                InputFile.file,
                func.sum(InputFile.quarantined) * 1.0 / func.nullif(func.sum(InputFile.read), 0),
            )
            .join(Run, Run.id == InputFile.run_id)
            .group_by(Run.as_of, InputFile.file)
            .order_by(Run.as_of, InputFile.file)
        )
        return [(as_of, file, float(share or 0.0)) for as_of, file, share in rows]

    def notification_sent(self, dedupe_key: str) -> bool:
        found = self.session.scalar(
            select(Notification.id).where(Notification.dedupe_key == dedupe_key)
        )
        return found is not None

    def record_notification(self, run_id: str, **fields: Any) -> None:
        self.session.add(Notification(run_id=run_id, **fields))
        self.session.flush()

    def _bulk(self, model: Any, run_id: str, rows: Sequence[Mapping[str, Any]]) -> None:
        # executemany in chunks: one INSERT per row would take minutes on a dirty night.
        chunk = 5_000
        for start in range(0, len(rows), chunk):
            batch = [{"run_id": run_id, **row} for row in rows[start : start + chunk]]
            self.session.execute(insert(model), batch)
