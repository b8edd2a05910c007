"""Approved orders to the ERP with Prefect retries, an alert for orders that keep
failing, and the `submit-approved` flow (`replenish submit`, its own deployment) that
sends what was approved since the night without waiting for the next one.

`flows.submission.submit` does one pass over every approved (or earlier failed) order and
records each failure; this module wraps it: a pass that left orders failed raises, so
Prefect retries the stage after a delay (the ERP is often back a minute later), and each
retry picks the failed orders up again. Exactly once still holds: every pass claims the
key and asks the ERP for it before creating it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows import rollback, submission
from flows.alerts import tell_operator
from flows.outcomes import RunPartial
from flows.side_runs import recorded_run
from flows.submission import Submitted
from replenish.bootstrap import Services, composed
from services.erp_calls import ErpCalls, calls_for
from services.erp_readiness import erp_setup_problem
from services.run_summary import submission_problem
from services.submission_alerts import alert_failing_orders


class ErpNotReady(Exception):
    """The ERP's setup lacks what submitting needs (the product user's rights): a clear
    stop before any order is tried, naming what to fix (`services.erp_readiness`)."""


class OrdersNotSubmitted(Exception):
    """Some approved orders failed to reach the ERP in this pass (Prefect retries)."""

    def __init__(self, tally: Submitted) -> None:
        super().__init__(f"{len(tally.failed)} orders could not be submitted to the ERP")
        self.tally = tally


@dataclass
class _Tally:
    """What every pass of the retried task sent, across its attempts; and the run's ERP
    calls (retry policy, circuit breaker, refusals), so an ERP found down stays down for
    the next pass until its cool-down passed."""

    outcome: Submitted
    calls: ErpCalls

    def add(self, attempt: Submitted) -> None:
        self.outcome.submitted.extend(attempt.submitted)
        self.outcome.already_in_erp.extend(attempt.already_in_erp)
        # Only the last pass's failures are still failures.
        self.outcome.failed = dict(attempt.failed)
        self.outcome.rejected = list(attempt.rejected)
        self.outcome.deferred = list(attempt.deferred)


@task(name="submit", cache_policy=NO_CACHE)
def _submit_pass(services: Services, tally: _Tally) -> Submitted:
    """One pass over the approved orders; raise while some could not reach the ERP, so
    Prefect retries (orders the ERP rejected are not retried tonight)."""
    tally.add(submission.submit.fn(services, tally.calls))
    if tally.outcome.retryable:
        raise OrdersNotSubmitted(tally.outcome)
    return tally.outcome


def submit_with_retries(services: Services, run_id: str) -> Submitted:
    """Submit with `erp.submit_retries` Prefect retries; then alert on orders that failed
    `erp.alert_after_attempts` times. Never raises for a failed order: the run records it
    (partial) and the next run or `replenish submit` tries again."""
    erp = services.settings.erp
    retried = _submit_pass.with_options(
        retries=erp.submit_retries, retry_delay_seconds=erp.retry_delay_seconds
    )
    tally = _Tally(Submitted(), calls_for(erp))
    retried_cancellations: dict[str, str] = {}
    try:  # cancellations a rollback left failed: asked again, once in the ERP
        for cancelled in rollback.retry_cancellations(services, run_id, tally.calls):
            retried_cancellations[cancelled.po_key] = cancelled.outcome.value
    except Exception as error:  # the approved orders must still go out tonight
        get_run_logger().error("Could not retry the failed cancellations: %s", error)
    try:
        outcome = retried(services, tally)
    except OrdersNotSubmitted as error:
        outcome = error.tally
    outcome.cancellations_retried = retried_cancellations
    alert_failing_orders(services.uow, services.mailer, services.settings, run_id,
                         get_run_logger())  # fmt: skip
    return outcome


@flow(name="submit-approved", on_failure=[tell_operator], on_crashed=[tell_operator])
def submit_approved(config: str | None = None) -> dict[str, Any]:
    """Send every approved order (and every earlier failed one) to the ERP, exactly once.

    Recorded as a run of its own (source `submit-approved`), so its e-mails and outcome
    are traceable like a night's. Raises `RunPartial` when orders still failed.
    """
    with composed(config) as services, recorded_run(services, "submit-approved") as run:
        if (problem := erp_setup_problem(services.erp)) is not None:
            raise ErpNotReady(problem)  # failed, the operator told: nothing was sent
        outcome = submit_with_retries(services, run.run_id)
        run.status = "partial" if outcome.failed else "succeeded"
        run.message = submission_problem(outcome) if outcome.failed else "completed"
        run.summary = {
            "submitted": len(outcome.submitted),
            "submitted_keys": list(outcome.submitted),
            "already_in_erp": len(outcome.already_in_erp),
            "submission_failures": dict(outcome.failed),
            "cancellations_retried": dict(outcome.cancellations_retried),
        }
    if outcome.failed:
        raise RunPartial(run.summary)
    return run.summary
