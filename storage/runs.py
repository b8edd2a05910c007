"""Runs and what each one read, repaired, quarantined, forecast and e-mailed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.orm import Session

from domain.actors import Actor
from storage.audit_log import append_audit
from storage.models import Forecast, InputFile, Notification, RowDisposition, Run
from storage.run_reads import RunReads

#: `runs.source` of the flows beside the nightly run (flows.side_runs). A flow that
#: records runs beside the nightly one must be listed here: every other source is a
#: nightly run, which only the nightly lock's holder can be (`dead`, `latest`).
SIDE_RUN_SOURCES = ("submit-approved", "chase-deadlines", "monitoring")
#: A run recorded before leases existed (no `lease_until`) still `running` a day after
#: its start is dead: no night takes a day.
UNLEASED_DEAD_AFTER = timedelta(days=1)
RUNNING, CRASHED, STOOD_ASIDE = "running", "crashed", "stood_aside"


class RunRepository(RunReads):
    """Runs, what each recorded, and their leases; the operator's reads come from `RunReads`."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def start(
        self,
        run_id: str,
        as_of: date,
        source: str,
        started_at: datetime,
        flow_run_id: str | None,
        lease_until: datetime | None = None,
    ) -> Run:
        run = Run(
            id=run_id,
            as_of=as_of,
            source=source,
            status=RUNNING,
            message="",
            flow_run_id=flow_run_id,
            started_at=started_at,
            lease_until=lease_until,
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
            .where(Run.source.not_in(SIDE_RUN_SOURCES), Run.status != STOOD_ASIDE)
            .order_by(Run.started_at.desc())
            .limit(1)
        )

    def renew_lease(self, run_id: str, until: datetime) -> bool:
        """The run is alive until `until`; False once it is no longer running."""
        renewed = self.session.execute(
            update(Run).where(Run.id == run_id, Run.status == RUNNING).values(lease_until=until)
        )
        return bool(renewed.rowcount)  # type: ignore[attr-defined]

    def dead(self, now: datetime, *, nightly_lock_held: bool = False) -> list[Run]:
        """Runs still `running` whose process is gone: their lease ran out (or, recorded
        before leases, they started a day ago). With the nightly lock held, every leased
        nightly run is dead too: no live one can exist beside the lock's holder."""
        gone = [
            Run.lease_until <= now,
            and_(Run.lease_until.is_(None), Run.started_at < now - UNLEASED_DEAD_AFTER),
        ]
        if nightly_lock_held:
            gone.append(and_(Run.lease_until.is_not(None), Run.source.not_in(SIDE_RUN_SOURCES)))
        return list(
            self.session.scalars(
                select(Run).where(Run.status == RUNNING, or_(*gone)).order_by(Run.started_at)
            )
        )

    def mark_crashed(self, run_id: str, message: str, at: datetime) -> bool:
        """Close a dead run as `crashed`, once: False when another finder was first (or the
        run finished after all)."""
        run = self.session.get(Run, run_id)
        if run is None:
            return False
        summary = {
            "run_id": run.id, "as_of": run.as_of.isoformat(), "status": CRASHED, "message": message,
        }  # fmt: skip
        closed = self.session.execute(
            update(Run)
            .where(Run.id == run_id, Run.status == RUNNING)
            .values(status=CRASHED, message=message, finished_at=at, summary=summary)
            .execution_options(synchronize_session=False)
        )
        self.session.expire(run)
        return bool(closed.rowcount)  # type: ignore[attr-defined]

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

    def note(self, run_id: str, key: str, value: Any) -> None:
        """Add or replace one key of a run's recorded summary."""
        run = self.session.get(Run, run_id)
        if run is None:
            return
        run.summary = {**(run.summary or {}), key: value}  # a new dict: JSON is not mutable-tracked
        self.session.flush()

    def record_rollout(self, run_id: str, modes: Mapping[str, str]) -> None:
        """The rollout modes this run is made with ({scope: mode})."""
        self.session.execute(update(Run).where(Run.id == run_id).values(rollout=dict(modes)))

    def last_rollout(self, before_run_id: str) -> dict[str, str] | None:
        """The rollout modes of the latest other run that recorded them (None: none did)."""
        recorded = self.session.scalar(
            select(Run.rollout)
            .where(Run.id != before_run_id, Run.rollout.is_not(None))
            .order_by(Run.started_at.desc())
            .limit(1)
        )
        return {str(k): str(v) for k, v in recorded.items()} if recorded else None

    def audit_rollout(
        self, scope: str, old: str | None, new: str | None, *, at: datetime, actor: Actor,
        reason: str, details: Mapping[str, Any],
    ) -> None:  # fmt: skip
        """A change of rollout mode, in the append-only audit log (entity `rollout`)."""
        append_audit(self.session, entity="rollout", entity_key=scope, action="mode_changed",
                     actor=actor, reason=reason, from_state=old, to_state=new, details=details,
                     at=at)  # fmt: skip

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
