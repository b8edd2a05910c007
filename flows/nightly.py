"""The nightly replenishment flow: read like the run's table of contents."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from prefect import flow, get_run_logger
from prefect.runtime import flow_run
from prefect.states import Failed, State

from flows import data_quality, notify, ordering, reporting, submission
from integrations.sources.errors import SourceError
from purchasing.currency import MissingExchangeRate
from replenish.bootstrap import Services, build, open_source
from replenish.run_summary import RunFacts, build_summary
from replenish.settings import load_settings

P = ParamSpec("P")
R = TypeVar("R")


class StageClock:
    """Wall-clock seconds per stage, for the run summary and the benchmark."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def run(self, stage: str, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            self.seconds[stage] = round(
                self.seconds.get(stage, 0.0) + time.perf_counter() - start, 3
            )


@flow(name="nightly-replenishment", log_prints=True)
def nightly_replenishment(
    source: str | None = None, as_of: date | None = None, config: str | None = None
) -> dict[str, Any] | State:
    """Forecast demand for every item-location, propose purchase orders, send the ordinary
    ones to the ERP and the exceptions to their approvers.

    Stops before ordering when the input data fails the quality gate, and tells the
    operator. Returns the run summary (the `replenish run --json` object). `source` is a
    CSV folder; without it the configured source (a folder or a SQL database) is read.
    """
    settings = load_settings(Path(config) if config else None)
    services = build(settings)
    try:
        return _run(services, source, as_of or datetime.now(UTC).date())
    finally:
        services.engine.dispose()


def _run(services: Services, location: str | None, as_of: date) -> dict[str, Any] | State:
    settings = services.settings
    run_id = uuid.uuid4().hex
    facts = RunFacts(run_id=run_id, as_of=as_of, settings=settings)
    clock = StageClock()
    try:
        source = open_source(settings, location)
    except SourceError as error:
        source, problem = None, error
    where = source.describe() if source else str(location)
    with services.uow() as uow:
        uow.runs.start(run_id, as_of, where, datetime.now(UTC), _flow_run_id())
        uow.commit()
    get_run_logger().info("Run %s for %s from %s", run_id, as_of, where)
    if source is None:
        return _stop(services, facts.failed(str(problem)), clock)

    raw = clock.run("extract", data_quality.extract, source)
    if isinstance(raw, SourceError):
        return _stop(services, facts.failed(str(raw)), clock)
    facts.files = list(raw.files)
    checked = clock.run("validate", data_quality.validate_inputs, raw, as_of, settings.validation)
    clock.run("validate", data_quality.record_data_quality, services, run_id, checked)
    facts.checked = checked
    breaches = clock.run("validate", data_quality.quality_gate, checked, settings.validation)
    if breaches:
        clock.run("report", notify.alert_data_quality, services, run_id, as_of, breaches)
        return _stop(services, facts.failed("input data failed the quality gate", breaches), clock)

    result = clock.run("forecast", ordering.forecast, checked, as_of, settings.forecast)
    clock.run("forecast", ordering.record_forecasts, services, run_id, result)
    facts.forecast = result
    planned = clock.run("plan", ordering.plan, checked, result, as_of, settings.policy)
    facts.plan = planned
    try:
        review = clock.run(
            "flag", ordering.flag, planned, checked, result, settings.flags, services
        )
    except MissingExchangeRate as error:
        # A limit compared with an amount in an unknown currency would be a silent guess.
        return _stop(services, facts.failed(str(error)), clock)
    facts.review = review
    facts.proposed = clock.run("flag", ordering.propose, services, run_id, review)
    facts.emails = clock.run(
        "route",
        notify.route,
        services,
        run_id,
        as_of,
        review,
        facts.proposed,
        checked.tables["suppliers"],
    )
    facts.submitted = clock.run("submit", submission.submit, services)

    summary = build_summary(facts, clock.seconds)
    clock.run("report", reporting.report, services, run_id, summary)
    summary["stage_seconds"] = clock.seconds
    return summary


def _stop(services: Services, facts: RunFacts, clock: StageClock) -> State:
    """Record and publish a run that could not order; the flow run ends Failed."""
    summary = build_summary(facts, clock.seconds)
    clock.run("report", reporting.report, services, facts.run_id, summary)
    summary["stage_seconds"] = clock.seconds
    return Failed(message=str(summary["message"]), data=summary)


def _flow_run_id() -> str | None:
    run_id = flow_run.get_id()
    return str(run_id) if run_id else None
