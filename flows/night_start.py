"""The start of a nightly run: open the source, record the run, audit a change of
rollout mode, close the runs that died before it, and check the ERP's setup, so the
night stops before anything is ordered when the source or the ERP is not there."""

from __future__ import annotations

from prefect import get_run_logger
from prefect.runtime import flow_run

from flows import crashes
from flows.identity import NIGHTLY
from integrations.sources.base import Source
from integrations.sources.errors import SourceError
from replenish.bootstrap import Services, open_source
from services.erp_readiness import erp_setup_problem
from services.rollout import record_rollout
from services.run_summary import RunFacts
from services.runs import start_run


def open_night(services: Services, facts: RunFacts, location: str | None) -> Source | None:
    """The night's source, once the run is recorded; None when it stopped (the reason is
    in the run's facts)."""
    settings, as_of, run_id = services.settings, facts.as_of, facts.run_id
    try:
        source = open_source(settings, location)
    except SourceError as error:
        source, problem = None, error
    where = source.describe() if source else str(location)
    start_run(services.uow, run_id, as_of, where, flow_run_id(), lease=settings.run.lease)
    facts.started = True
    # Shadow, review-all or live: a change since the last run is audited now, at the start.
    facts.mode_changes = record_rollout(services.uow, run_id, as_of, settings.rollout, NIGHTLY)
    get_run_logger().info("Run %s for %s from %s", run_id, as_of, where)
    # Holding the nightly lock: any other nightly run still `running` died (killed).
    crashes.reclaim(services, run_id, found_by="the next nightly run", nightly_lock_held=True)
    # No source, or the ERP's setup (its user's rights) lacking: stop before ordering.
    stop = str(problem) if source is None else erp_setup_problem(services.erp)
    if source is None or stop is not None:
        facts.stopped(str(stop))
        return None
    return source


def flow_run_id() -> str | None:
    """The Prefect flow run this run is, for the `runs` row (None outside Prefect)."""
    run_id = flow_run.get_id()
    return str(run_id) if run_id else None
