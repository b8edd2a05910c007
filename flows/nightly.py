"""The nightly replenishment flow: read like the run's table of contents.

Every run ends in the `runs` table as succeeded, partial, stopped or failed, whatever
raised (`_run`'s finally), or stood_aside when another run held the lock; a run that did
not fully succeed raises a named exception (`flows.outcomes`) after its summary and
artifacts are published, so Prefect shows it red and the failure hooks e-mail the
operator. A run killed outright stops renewing its lease and is closed as crashed by
whoever comes next (`flows.crashes`): the next run does that first.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from prefect import flow, get_run_logger
from prefect.states import Cancelled, State

from contracts.run_summary import summary_json
from flows import notify, order_artifacts, reporting
from flows.alerts import tell_operator
from flows.night_stages import run_stages
from flows.night_start import flow_run_id
from flows.outcomes import RunPartial, RunStopped
from flows.progress_artifact import ProgressArtifact
from replenish.bootstrap import Services, composed
from replenish.run_date import run_date, scheduled_start
from services import run_progress
from services.nightly_lock import RunLocked, nightly_lock
from services.run_summary import RunFacts, build_summary, stood_aside
from services.runs import keep_alive, record_stood_aside
from services.stage_clock import StageClock


@flow(
    name="nightly-replenishment",
    log_prints=True,
    on_failure=[tell_operator],
    on_crashed=[tell_operator],
)
def nightly_replenishment(
    source: str | None = None, as_of: date | None = None, config: str | None = None
) -> dict[str, Any] | State:
    """Forecast demand for every item-location, propose purchase orders, send the ordinary
    ones to the ERP and the exceptions to their approvers.

    Returns the run summary (the `replenish run --json` object). Raises `RunStopped` when
    the input failed (a broken file, the data-quality gate: nothing ordered, the operator
    told) and `RunPartial` when orders could not be sent or announced; both carry the
    summary. `source` is a CSV folder; without it the configured source is read
    (`REPLENISH_SOURCE`, or the config file's [source]). `as_of` defaults to the
    scheduled start's day in `schedule_timezone`. Only one run works at a time: a second
    one stands aside (Cancelled, `stood_aside`), ordering nothing.
    """
    with composed(config) as services:
        night = as_of or run_date(services.settings.schedule_timezone, scheduled_start())
        try:
            with nightly_lock(services.engine):
                return _run(services, source, night)
        except RunLocked as error:
            get_run_logger().warning("%s", error)
            run_id = _record_stood_aside(services, source, night, str(error))
            return Cancelled(
                message=str(error), data=summary_json(stood_aside(night, str(error), run_id))
            )


def _run(services: Services, location: str | None, as_of: date) -> dict[str, Any]:
    facts = RunFacts(run_id=uuid.uuid4().hex, as_of=as_of, settings=services.settings)
    clock, shown = StageClock(), ProgressArtifact()  # stage and block, in the Prefect UI
    told, lease = False, services.settings.run.lease
    # The lease says "alive" while the run works; a SIGKILL stops it, and the next run
    # (or the monitoring flow, or the crash automation) closes the run as crashed.
    with keep_alive(services.uow, facts.run_id, lease), run_progress.listening(shown):
        try:
            told = run_stages(services, facts, clock, location)
        except BaseException as error:
            # A bug, the database gone, an interrupt: recorded as failed with its one-line
            # cause before Prefect marks the run Failed (or Crashed) and the hook alerts.
            facts.failed(f"{clock.current} failed: {type(error).__name__}: {error}")
            raise
        finally:
            summary = _close(services, facts, clock)
            shown.finish(str(summary["status"]))
    if summary["status"] == "stopped":
        raise RunStopped(summary, operator_told=told)
    if summary["status"] == "partial":
        raise RunPartial(summary)
    return summary


def _close(services: Services, facts: RunFacts, clock: StageClock) -> dict[str, Any]:
    """Record and publish the run, whatever happened; never hide the error that ended it."""
    facts.mail_waiting = notify.mail_waiting(services)
    facts.peak_rss_mb = clock.peak_mb
    summary = build_summary(facts, clock.seconds)
    if not facts.started:
        return summary_json(summary)  # nothing recorded to close: the database may be what failed
    try:
        clock.run("report", reporting.report, services, facts.run_id, summary)
        clock.run("report", order_artifacts.publish, services, facts)
    except Exception:
        get_run_logger().exception("Could not record or publish run %s", facts.run_id)
    published = summary_json(summary)
    published["stage_seconds"] = clock.seconds  # with the report stage's own time
    return published


def _record_stood_aside(services: Services, source: str | None, as_of: date, why: str) -> str:
    """A run that stood aside is a row in `runs` too; its id (empty when the database
    could not record it: the run then only logs why)."""
    run_id = uuid.uuid4().hex
    try:
        record_stood_aside(services.uow, run_id, as_of, source or "configured source",
                           flow_run_id(), why)  # fmt: skip
    except Exception:
        get_run_logger().exception("Could not record the stood-aside run")
        return ""
    return run_id
