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
from prefect.runtime import flow_run

from flows import (
    crashes,
    data_quality,
    forecast_stage,
    form_runs,
    notify,
    ordering,
    reconciliation,
)
from flows.identity import NIGHTLY
from flows.outcomes import QualityGateFailed
from flows.submit_approved import submit_with_retries
from integrations.sources.errors import SourceError
from purchasing.currency import MissingExchangeRate
from replenish.bootstrap import Services, open_source
from services.erp_readiness import erp_setup_problem
from services.learning import apply_accepted
from services.rollout import record_rollout
from services.run_summary import RunFacts
from services.runs import start_run
from services.stage_clock import StageClock


def run_stages(
    services: Services, facts: RunFacts, clock: StageClock, location: str | None
) -> bool:
    """The run itself; True when it stopped and already told the operator why."""
    settings, as_of, run_id = services.settings, facts.as_of, facts.run_id
    try:
        source = open_source(settings, location)
    except SourceError as error:
        source, problem = None, error
    where = source.describe() if source else str(location)
    start_run(services.uow, run_id, as_of, where, flow_run_id())
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

    # Parameter changes an administrator accepted (learnt from buyers).
    checked = apply_accepted(services.uow, checked, settings.policy.default_service_level)
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


def flow_run_id() -> str | None:
    """The Prefect flow run this run is, for the `runs` row (None outside Prefect)."""
    run_id = flow_run.get_id()
    return str(run_id) if run_id else None
