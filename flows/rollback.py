"""Roll a bad night back from the Prefect UI (the `rollback` deployment), and the retry of
failed cancellations that every submit stage makes.

Orchestration only: the use case is `services.rollback` (the CLI's `replenish rollback`
calls the same one). The operator starts the deployment with the run's id, a reason and
their e-mail address (an administrator); the run ends red when the rollback was refused
or left orders it could not take back, green when every order was withdrawn or cancelled.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from domain.actors import Actor
from domain.rollback import OrderOutcome, RollbackReport
from flows.alerts import tell_operator
from flows.outcomes import RunIncomplete
from replenish.bootstrap import Services, composed
from services.erp_calls import ErpCalls, calls_for
from services.rollback import (
    RollbackMailing,
    RollbackRequest,
    retry_failed_cancellations,
    roll_back_night,
)
from settings import Settings

CHANNEL = "prefect-ui"


class RollbackIncomplete(RunIncomplete):
    """Some orders were too late to cancel, or their cancellation failed (retried by the
    next run); the rollback's own e-mail told the operator, so no second alert."""

    operator_told = True


@flow(name="rollback", on_failure=[tell_operator], on_crashed=[tell_operator])
def roll_back(
    run_id: str, reason: str, requested_by: str, config: str | None = None
) -> dict[str, Any]:
    """Roll back one night: withdraw its orders not sent yet (their review links stop
    working) and cancel those in the ERP, once. Administrators only
    (approvals.administrators): `requested_by` is your e-mail address. Audited and
    e-mailed to the night's buyers and the operator; a second rollback of the same run
    changes nothing. `run_id` is the run's id (the run summary's `run_id`)."""
    with composed(config) as services:
        report = roll_back_night(
            services.uow, services.erp, services.mailer,
            RollbackRequest(run_id, reason, requested_by, CHANNEL),
            administrators=services.settings.approvals.administrators,
            mailing=mailing(services.settings), calls=calls_for(services.settings.erp),
            log=get_run_logger(),
        )  # fmt: skip
    summary = report.as_dict() | {"message": f"{report.headline()}: {report.count_sentence()}"}
    create_markdown_artifact(
        key="rollback", markdown=_markdown(report), description=report.headline()
    )
    if not report.complete:
        raise RollbackIncomplete(summary)
    return summary


@task(name="retry-cancellations", cache_policy=NO_CACHE)
def retry_cancellations(services: Services, run_id: str, calls: ErpCalls) -> list[OrderOutcome]:
    """Ask the ERP again to cancel the orders a rollback could not cancel (each once)."""
    return retry_failed_cancellations(
        services.uow, services.erp, services.mailer, Actor("replenish run", "nightly-run"),
        run_id=run_id, mailing=mailing(services.settings), calls=calls, log=get_run_logger(),
    )  # fmt: skip


def mailing(settings: Settings) -> RollbackMailing:
    return RollbackMailing(
        sender=settings.email.sender,
        operator=settings.approvals.operator,
        default_buyer=settings.approvals.default_approver,
    )


def _markdown(report: RollbackReport) -> str:
    rows = "\n".join(
        f"| {o.po_key} | {o.outcome.value.replace('_', ' ')} | {_cell(o.detail)} |"
        for o in report.orders
    )
    return (
        f"# {report.headline()}\n\n"
        f"Why: {report.reason}\n\n"
        f"**{report.count_sentence()}**\n\n"
        f"| order | outcome | detail |\n| --- | --- | --- |\n{rows}\n"
    )


def _cell(text: str) -> str:
    """A table cell: the ERP's words may hold a pipe or a line break."""
    return " ".join(text.split()).replace("|", "\\|")
