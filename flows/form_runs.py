"""One open decision form per person in Prefect, kept in step with the database.

The database says who must decide what; Prefect holds the forms: suspended
`approver-decisions` runs whose parameters name the person and the orders listed.
`refresh_forms` makes the forms follow the database (the plan is `services.form_sync`):
a form whose orders are no longer exactly what waits for its person is cancelled, saying
why (an order decided on the review page, expired, a new night's orders), and a person
without a form gets one. The nightly and chase-deadlines runs call it, and so does a
form run once its answers are applied, so a refused decision is back in a form at once.

A suspended run holds no process; what costs a process (about 270 MB for a few seconds)
is starting a form and reading its answers. One form per person keeps that to a handful
per night, where one form per order started 30 processes at once for a busy buyer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from prefect import get_run_logger
from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.client.schemas.filters import (
    FlowFilter,
    FlowFilterName,
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.deployments import run_deployment
from prefect.runtime import deployment, flow_run
from prefect.states import Cancelled

from replenish.bootstrap import Services
from services.form_sync import forms_wanted, plan_forms

FLOW_NAME = "approver-decisions"
DEPLOYMENT = f"{FLOW_NAME}/{FLOW_NAME}"
# Before one form per person there was one run per order: found still suspended after an
# upgrade, they are closed and their orders listed in their person's form.
LEGACY_FLOW_NAME = "order-decision"


@dataclass
class FormChanges:
    opened: list[str] = field(default_factory=list)  # people who got a new form
    closed: list[str] = field(default_factory=list)  # why each cancelled form was closed


def refresh_forms(services: Services, person: str | None = None) -> FormChanges:
    """Open and close forms so each person asked to decide has exactly one, listing what
    waits for them (only `person`'s, when given). Only under a deployment: an ad-hoc run
    has no server whose UI could show a form. Never fails the calling run."""
    if deployment.get_id() is None:
        return FormChanges()
    try:
        return _refresh(services, person)
    except Exception as error:  # the forms are a way in: never hold up the run for them
        get_run_logger().warning("Could not bring the Prefect decision forms up to date: %s", error)
        return FormChanges()


def _refresh(services: Services, person: str | None) -> FormChanges:
    approvals = services.settings.approvals
    enabled = approvals.prefect_forms
    wanted = forms_wanted(services.uow, approvals.default_approver, enabled, person)
    changes = FormChanges()
    with get_client(sync_client=True) as client:
        forms = [(run.id, run.parameters) for run in _suspended_forms(client)]
        plan = plan_forms(forms, wanted, enabled, person)
        for run_id, why in plan.close:
            client.set_flow_run_state(run_id, Cancelled(message=why), force=True)
            changes.closed.append(why)
        for who, keys in plan.open.items():
            try:
                _open(who, keys)
                changes.opened.append(who)
            except Exception as error:  # no such deployment: the page and CLI still work
                get_run_logger().warning("No Prefect decision form for %s: %s", who, error)
    logger = get_run_logger()
    for why in changes.closed:
        logger.info("Closed a Prefect decision form: %s", why)
    if changes.opened:
        logger.info("Opened a Prefect decision form for %s", ", ".join(changes.opened))
    return changes


def _suspended_forms(client: SyncPrefectClient) -> list[FlowRun]:
    found: list[FlowRun] = []
    while True:
        page = client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=[FLOW_NAME, LEGACY_FLOW_NAME])),
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED]))
            ),
            offset=len(found),
            limit=200,
        )
        found += page
        if len(page) < 200:
            return found


def _open(who: str, keys: list[str]) -> None:
    """Start the person's form run; keyed by this run, so a retry never opens two."""
    config = flow_run.parameters.get("config")
    parameters: dict[str, Any] = {"approver": who, "po_keys": keys, "config": config}
    person = hashlib.sha256(who.encode()).hexdigest()[:16]
    run_deployment(
        DEPLOYMENT,
        parameters=parameters,
        flow_run_name=f"decisions for {who}",
        timeout=0,
        idempotency_key=f"form-{person}-{flow_run.get_id()}",
        as_subflow=False,
    )
