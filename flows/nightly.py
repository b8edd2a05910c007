"""The nightly replenishment flow: read like the run's table of contents.

Every run ends in the `runs` table as succeeded, partial, stopped or failed, whatever
raised (`_run`'s finally), or stood_aside when another run held the lock; a run that did
not fully succeed raises a named exception (`flows.outcomes`) after its summary and
artifacts are published, so Prefect shows it red and the failure hooks e-mail the
operator. A run killed outright stops renewing its lease and is closed as crashed by
whoever comes next (`flows.crashes`): the next run does that first.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from prefect import flow, get_run_logger
from prefect.runtime import flow_run
from prefect.states import Cancelled, State

from contracts.run_summary import summary_json
from flows import (
    crashes,
    data_quality,
    forecast_stage,
    form_runs,
    notify,
    order_artifacts,
    ordering,
    reconciliation,
    reporting,
)
from flows.alerts import tell_operator
from flows.outcomes import QualityGateFailed, RunPartial, RunStopped
from flows.submit_approved import submit_with_retries
from integrations.sources.errors import SourceError
from purchasing.currency import MissingExchangeRate
from replenish.bootstrap import Services, build, open_source
from replenish.run_date import run_date, scheduled_start
from services.run_summary import RunFacts, build_summary, stood_aside
from services.runs import keep_alive, record_stood_aside, start_run
from settings import load_settings
from storage.run_lock import RunLocked, nightly_lock

P = ParamSpec("P")
R = TypeVar("R")


class StageClock:
    """Wall-clock seconds per stage, for the run summary and the benchmark; and the stage
    running now, so a failure names where it happened."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.current = "start"

    def run(self, stage: str, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        self.current = stage
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            self.seconds[stage] = round(
                self.seconds.get(stage, 0.0) + time.perf_counter() - start, 3
            )


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
    settings = load_settings(Path(config) if config else None)
    services = build(settings)
    night = as_of or run_date(settings.schedule_timezone, scheduled_start())
    try:
        # One run at a time (storage.run_lock): a second one stands aside, ordering nothing.
        with nightly_lock(services.engine):
            return _run(services, source, night)
    except RunLocked as error:
        get_run_logger().warning("%s", error)
        run_id = _record_stood_aside(services, source, night, str(error))
        return Cancelled(
            message=str(error), data=summary_json(stood_aside(night, str(error), run_id))
        )
    finally:
        services.engine.dispose()


def _run(services: Services, location: str | None, as_of: date) -> dict[str, Any]:
    facts = RunFacts(run_id=uuid.uuid4().hex, as_of=as_of, settings=services.settings)
    clock = StageClock()
    told = False
    # The lease says "alive" while the run works; a SIGKILL stops it, and the next run
    # (or the monitoring flow, or the crash automation) closes the run as crashed.
    with keep_alive(services.uow, facts.run_id):
        try:
            told = _stages(services, facts, clock, location)
        except BaseException as error:
            # A bug, the database gone, an interrupt: recorded as failed with its one-line
            # cause before Prefect marks the run Failed (or Crashed) and the hook alerts.
            facts.failed(f"{clock.current} failed: {type(error).__name__}: {error}")
            raise
        finally:
            summary = _close(services, facts, clock)
    if summary["status"] == "stopped":
        raise RunStopped(summary, operator_told=told)
    if summary["status"] == "partial":
        raise RunPartial(summary)
    return summary


def _stages(services: Services, facts: RunFacts, clock: StageClock, location: str | None) -> bool:
    """The run itself; True when it stopped and already told the operator why."""
    settings, as_of, run_id = services.settings, facts.as_of, facts.run_id
    try:
        source = open_source(settings, location)
    except SourceError as error:
        source, problem = None, error
    where = source.describe() if source else str(location)
    start_run(services.uow, run_id, as_of, where, _flow_run_id())
    facts.started = True
    get_run_logger().info("Run %s for %s from %s", run_id, as_of, where)
    # Holding the nightly lock: any other nightly run still `running` died (killed).
    crashes.reclaim(services, run_id, found_by="the next nightly run", nightly_lock_held=True)
    if source is None:
        facts.stopped(str(problem))
        return False

    try:
        raw = clock.run("extract", data_quality.extract, source)
    except SourceError as error:
        facts.stopped(str(error))
        return False
    facts.files = list(raw.files)
    checked = clock.run("validate", data_quality.validate_inputs, raw, as_of, settings.validation)
    del raw  # consumed: from here on the night reads the validated tables only
    clock.run("validate", data_quality.record_data_quality, services, run_id, checked)
    facts.checked = checked
    try:
        clock.run("validate", data_quality.quality_gate, checked, settings.validation)
    except QualityGateFailed as gate:
        facts.stopped("input data failed the quality gate", gate.breaches)
        clock.run("report", notify.alert_data_quality, services, run_id, as_of, gate.breaches)
        return True

    result = clock.run("forecast", forecast_stage.forecast, checked, as_of, settings.forecast)
    # The demand history is consumed: the forecast carries the recent tail the later
    # stages need, and millions of rows need not stay resident through the night.
    checked = replace(checked, tables={k: v for k, v in checked.tables.items() if k != "demand"})
    facts.checked = checked
    items = checked.tables["items"]
    clock.run("forecast", ordering.record_forecasts, services, run_id, result, items)
    facts.forecast = result
    planned = clock.run("plan", ordering.plan, checked, result, as_of, settings.policy, services)
    facts.plan = planned
    try:
        review = clock.run(
            "flag", ordering.flag, planned, checked, result, settings.flags, services
        )
    except MissingExchangeRate as error:
        # A limit compared with an amount in an unknown currency would be a silent guess:
        # stop before ordering (the failure hook tells the operator which rate is missing).
        facts.stopped(str(error))
        return False
    facts.review = review
    facts.proposed = clock.run("flag", ordering.propose, services, run_id, review)
    route = notify.route.with_options(
        retries=settings.email.send_retries,
        retry_delay_seconds=settings.email.retry_delay_seconds,
    )
    try:
        facts.emails = clock.run(
            "route",
            route,
            services,
            run_id,
            as_of,
            review,
            facts.proposed,
        )
    except Exception as error:
        # The orders are stored; approved ones must still reach the ERP tonight.
        facts.problems.append(f"route failed: {type(error).__name__}: {error}")
        get_run_logger().error("Review e-mails not sent (%s); submitting anyway", error)
    # One Prefect UI form per person with every order waiting for them (any night's).
    clock.run("route", form_runs.refresh_forms, services)
    facts.submitted = clock.run("submit", submit_with_retries, services, run_id)
    clock.run("report", reconciliation.publish, services, as_of)
    return False


def _close(services: Services, facts: RunFacts, clock: StageClock) -> dict[str, Any]:
    """Record and publish the run, whatever happened; never hide the error that ended it."""
    facts.mail_waiting = notify.mail_waiting(services)
    summary = build_summary(facts, clock.seconds)
    if not facts.started:
        # Nothing recorded to close: the database may be what failed.
        return summary_json(summary)
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
                           _flow_run_id(), why)  # fmt: skip
    except Exception:
        get_run_logger().exception("Could not record the stood-aside run")
        return ""
    return run_id


def _flow_run_id() -> str | None:
    run_id = flow_run.get_id()
    return str(run_id) if run_id else None
