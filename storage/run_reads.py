"""The questions an operator asks of stored runs: which ran lately, which run a short id
names, and what a run forecast for one item-location (`replenish runs`, `replenish explain`,
`replenish rollback`)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Forecast, Run


class RunReads:
    """Mixed into `RunRepository`: `uow.runs.recent(...)`, `uow.runs.forecast_of(...)`."""

    session: Session

    def ids_starting_with(self, prefix: str) -> list[str]:
        """Ids of the runs that start with `prefix` (summaries show the first 8 characters);
        at most two: one is an answer, two say the prefix is ambiguous."""
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return list(
            self.session.scalars(
                select(Run.id).where(Run.id.like(f"{escaped}%", escape="\\")).limit(2)
            )
        )

    def recent(
        self, limit: int, *, source: str | None = None, not_sources: Collection[str] = ()
    ) -> list[Run]:
        """The latest `limit` runs, newest first; only those of `source`, or none of
        `not_sources`, when given."""
        query = select(Run).order_by(Run.started_at.desc(), Run.id).limit(limit)
        if source is not None:
            query = query.where(Run.source == source)
        if not_sources:
            query = query.where(Run.source.not_in(list(not_sources)))
        return list(self.session.scalars(query))

    def forecast_of(self, sku: str, location: str, run_id: str | None = None) -> Forecast | None:
        """What `run_id` forecast for the item-location; without a run, the latest run's
        that forecast it (a stopped night forecast nothing, so it is skipped)."""
        query = select(Forecast).where(Forecast.sku == sku, Forecast.location == location)
        if run_id is not None:
            return self.session.scalar(query.where(Forecast.run_id == run_id))
        latest = query.join(Run, Run.id == Forecast.run_id).order_by(Run.started_at.desc())
        return self.session.scalar(latest.limit(1))
