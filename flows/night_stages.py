"""The nightly run's stages in order, each timed: extract, validate, forecast, plan, flag,
propose, route, submit, report. The table of contents of `nightly-replenishment`; each
stage is a task of its own module calling one service.

A stage that finds the night must not order (a broken file, the data-quality gate, a
missing exchange rate) records why in the run's facts and stops; one that fails after
the orders are stored (e-mail) is noted and the approved orders still go to the ERP.
"""

from __future__ import annotations

from dataclasses import replace

from prefect import get_run_logger

from flows import (
    data_quality,
    forecast_stage,
    form_runs,
    notify,
    ordering,
    reconciliation,
)
from flows.forecast_stage import Handover
from flows.night_start import open_night
from flows.outcomes import QualityGateFailed
from flows.submit_approved import submit_with_retries
from integrations.sources.errors import SourceError
from purchasing.currency import MissingExchangeRate
from replenish.bootstrap import Services
from services.learning import apply_accepted
from services.memory_budget import release_freed, rss_mb
from services.run_summary import RunFacts
from services.stage_clock import StageClock


def run_stages(
    services: Services, facts: RunFacts, clock: StageClock, location: str | None
) -> bool:
    """The run itself; True when it stopped and already told the operator why."""
    settings, as_of, run_id = services.settings, facts.as_of, facts.run_id
    start_mb = rss_mb()  # what the process held before the night's frames
    source = open_night(services, facts, location)
    if source is None:
        return False
    try:
        raw = clock.run("extract", data_quality.extract, source)
    except SourceError as error:
        facts.stopped(str(error))
        return False
    facts.files = list(raw.files)
    checked = clock.run("validate", data_quality.validate_inputs, raw, as_of, settings.validation)
    del raw  # consumed: from here on the night reads the validated tables only
    release_freed(start_mb)  # the extract and the gate's working copies go back to the OS
    clock.run("validate", data_quality.record_data_quality, services, run_id, checked)
    facts.checked = checked
    try:
        clock.run("validate", data_quality.quality_gate, checked, settings.validation)
    except QualityGateFailed as gate:
        facts.stopped("input data failed the quality gate", gate.breaches)
        clock.run("report", notify.alert_data_quality, services, run_id, as_of, gate.breaches)
        return True

    # Parameter changes an administrator accepted (learnt from buyers).
    checked = apply_accepted(services.uow, checked, settings.policy.default_service_level)
    # The demand history is the forecast's alone: handed over, it is freed as soon as the
    # forecast has built its series, so millions of rows are not resident through the
    # model calls and the rest of the night (the forecast carries the recent tail).
    demand = Handover(checked.tables["demand"])
    checked = replace(checked, tables={k: v for k, v in checked.tables.items() if k != "demand"})
    facts.checked = checked
    result = clock.run("forecast", forecast_stage.forecast, checked, demand, as_of,
                       settings.forecast, settings.run.memory_budget_mb)  # fmt: skip
    release_freed(start_mb)
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
        facts.emails = clock.run("route", route, services, run_id, as_of, review, facts.proposed)
    except Exception as error:
        # The orders are stored; approved ones must still reach the ERP tonight.
        facts.problems.append(f"route failed: {type(error).__name__}: {error}")
        get_run_logger().error("Review e-mails not sent (%s); submitting anyway", error)
    # One Prefect UI form per person with every order waiting for them (any night's).
    clock.run("route", form_runs.refresh_forms, services)
    facts.submitted = clock.run("submit", submit_with_retries, services, run_id)
    clock.run("report", reconciliation.publish, services, as_of)
    return False
