"""Deciding a waiting order from the Prefect UI, with the database the one source of truth.

For each order a nightly run leaves waiting for a person, the run starts an
`order-decision` flow run (deployment `order-decision`, one per order: the order's key
is the idempotency key). That run suspends itself with a form (`OrderDecision`:
approve or reject, quantities, a comment): no process is held while it waits, for days
if need be. Filled in from the UI's "Resume" button, the run starts again, reads the
form and applies it through `approvals.decisions.decide`, exactly as the review page and
the CLI do (the same routing check, the same refusal of a second decision, the same
audit), so the page shows it at once.

A decision made elsewhere (page, CLI, a deadline expiring) closes the waiting form:
`close_decided` (called by the nightly, submit-approved and chase-deadlines runs)
cancels each suspended decision run whose order no longer waits, saying who decided.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path
from typing import Literal

from prefect import flow, get_run_logger
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    FlowFilter,
    FlowFilterName,
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import StateType
from prefect.deployments import run_deployment
from prefect.flow_runs import suspend_flow_run
from prefect.input import RunInput
from prefect.runtime import deployment, flow_run
from prefect.states import Cancelled
from pydantic import Field

from approvals.decisions import AlreadyDecided, InvalidDecision, NotYourDecision
from domain.lifecycle import AWAITING_DECISION
from replenish.bootstrap import Services, build
from replenish.settings import load_settings
from services.decisions import DecideOrder, decide_order
from services.order_queries import status_of

FLOW_NAME = "order-decision"
DEPLOYMENT = f"{FLOW_NAME}/{FLOW_NAME}"
CHANNEL = "prefect-ui"


class OrderDecision(RunInput):
    """The form a buyer fills in in the Prefect UI to decide a waiting order."""

    decided_by: str  # the e-mail the order was routed to (approver, second, deputy)
    decision: Literal["approve", "reject"]
    # sku -> quantity to order instead; empty: as proposed.
    quantities: dict[str, Decimal] = Field(default_factory=dict)
    comment: str = ""


@flow(name=FLOW_NAME, persist_result=True)
def decide_in_prefect(po_key: str, config: str | None = None, wait_hours: int = 168) -> str:
    """Wait (suspended, no process held) for a decision on `po_key` from the Prefect UI's
    form, then apply it like the review page would. Ends at once if the order no longer
    waits (decided elsewhere)."""
    services = build(load_settings(Path(config) if config else None))
    try:
        waiting = _waiting(services, po_key)
        if waiting is not None:
            return waiting
        form = suspend_flow_run(
            wait_for_input=OrderDecision.with_initial_data(
                description=f"Decide purchase order {po_key}: approve or reject; quantities "
                "per sku only where you change them; your e-mail as it was routed to you."
            ),
            timeout=wait_hours * 3600,
            # Prefect keys take lowercase letters, digits and dashes only.
            key=f"decision-{hashlib.sha256(po_key.encode()).hexdigest()[:16]}",
        )
        already = _waiting(services, po_key)  # decided elsewhere while suspended?
        if already is not None:
            return already
        try:
            command = DecideOrder(po_key, form.decision, form.decided_by, CHANNEL,
                                  form.comment, form.quantities)  # fmt: skip
            result = decide_order(services.uow, services.settings.approvals, command)
        except (AlreadyDecided, NotYourDecision, InvalidDecision, KeyError) as refused:
            get_run_logger().warning("Decision on %s refused: %s", po_key, refused)
            return f"refused: {refused}"
        return f"{po_key} is now {result.status.value} (by {result.decided_by})"
    finally:
        services.engine.dispose()


def _waiting(services: Services, po_key: str) -> str | None:
    """None while the order waits for a person; else what it is now."""
    status = status_of(services.uow, po_key)
    if status is None:
        return f"no purchase order {po_key}"
    if status in {s.value for s in AWAITING_DECISION}:
        return None
    return f"{po_key} is already {status}"


def open_forms(po_keys: list[str]) -> int:
    """Start one decision run per waiting order, when this run itself came from a
    deployment (a server and workers exist); an ad-hoc run has nobody to resume it."""
    if not po_keys or deployment.get_id() is None:
        return 0
    config = flow_run.parameters.get("config")
    started = 0
    for key in po_keys:
        try:
            run_deployment(
                DEPLOYMENT,
                parameters={"po_key": key, "config": config},
                timeout=0,
                idempotency_key=f"decision-{key}",
                as_subflow=False,
            )
            started += 1
        except Exception as error:  # no order-decision deployment: the page still works
            get_run_logger().warning("No Prefect decision form for %s: %s", key, error)
    return started


def close_decided(services: Services) -> list[str]:
    """Cancel the waiting decision runs of orders decided elsewhere; their keys. Only
    under a deployment: without a server there are no suspended runs to look for."""
    if deployment.get_id() is None:
        return []
    try:
        return _close_decided(services)
    except Exception as error:  # the forms are a way in: never hold up the run for them
        get_run_logger().warning("Could not close decided Prefect forms: %s", error)
        return []


def _close_decided(services: Services) -> list[str]:
    closed: list[str] = []
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=[FLOW_NAME])),
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED]))
            ),
        )
        for run in runs:
            key = str(run.parameters.get("po_key", ""))
            status = _waiting(services, key)
            if status is None:
                continue
            client.set_flow_run_state(
                run.id, Cancelled(message=f"decided outside Prefect: {status}"), force=True
            )
            closed.append(key)
    if closed:
        get_run_logger().info("Closed the Prefect decision forms of %s", ", ".join(closed))
    return closed
