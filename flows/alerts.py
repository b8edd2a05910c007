"""Tell the operator when a run fails or crashes: flow hooks, and the flow behind the
`operator-alert` deployment that a Prefect automation starts when a run crashed so hard
that no hook could run (the process killed, the machine gone).

One e-mail per flow run: the alert is queued under the run it is about (key
`run-alert:<flow run id>`, `services.operator_mail`), so the hook, the automation and
the run that finds a dead one never send it twice. Queued before any server is asked, an
alert the mail server cannot take stays queued, is retried by every later flow that sends
mail and is named in the run's summary (`mail_waiting`); only when the database itself is
down is it sent directly. An alert that cannot be sent at all is logged, never raised: the
hook must not hide the failure it reports.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from uuid import UUID

from prefect import flow
from prefect.client.schemas.objects import FlowRun
from prefect.logging import get_logger
from prefect.states import State
from prefect.utilities.urls import url_for

from approvals.operator_alerts import one_line, run_failed
from flows import crashes
from flows.outcomes import RunIncomplete
from replenish.bootstrap import Services, composed
from services.run_alerts import deliver_run_alert, seconds_left_on_lease

logger: logging.Logger = get_logger("replenish.alerts")


def tell_operator(flow: Any, flow_run: FlowRun, state: State) -> None:
    """`on_failure` / `on_crashed` hook: e-mail the operator the run's URL and cause."""
    try:
        cause = cause_of(state)
        if cause is None:
            return
        with composed(flow_run.parameters.get("config"), run_migrations=False) as services:
            send_run_alert(
                services,
                flow_name=str(getattr(flow, "name", "replenish")),
                flow_run=flow_run,
                state=state.name or state.type.value,
                cause=cause,
            )
    except Exception:
        logger.exception("Could not e-mail the operator about flow run %s", flow_run.id)


def cause_of(state: State) -> str | None:
    """The one-line cause, or None when the run already told the operator itself."""
    try:
        result = state.result(raise_on_failure=False)
    except Exception:
        result = None
    if isinstance(result, RunIncomplete):
        return None if result.operator_told else one_line(str(result))
    if isinstance(result, BaseException):
        return one_line(f"{type(result).__name__}: {result}")
    return one_line(state.message or state.name or "no message")


def send_run_alert(
    services: Services, *, flow_name: str, flow_run: FlowRun, state: str, cause: str
) -> bool:
    """Queue the alert once per flow run and send the queue; True when this alert has
    reached the mail server (now or before)."""
    settings = services.settings
    mail = run_failed(
        sender=settings.email.sender,
        operator=settings.approvals.operator,
        flow_name=flow_name,
        flow_run_name=flow_run.name,
        flow_run_id=str(flow_run.id),
        state=state,
        cause=cause,
        url=url_for("flow-run", obj_id=flow_run.id),
    )
    return deliver_run_alert(services.uow, services.mailer, mail, flow_run_id=str(flow_run.id),
                             flow_run_name=flow_run.name, state=state, log=logger)  # fmt: skip


@flow(name="operator-alert")
async def operator_alert(flow_run: str) -> bool:
    """E-mail the operator about a flow run that crashed or failed (started by the
    automation in prefect.yaml with the event's resource id, `prefect.flow-run.<id>`; the
    in-process hooks cover the ordinary cases), and close its run in `runs` as crashed
    once its lease has run out."""
    from prefect.client.orchestration import get_client

    async with get_client() as client:
        crashed = await client.read_flow_run(UUID(flow_run.removeprefix("prefect.flow-run.")))
        owner = await client.read_flow(crashed.flow_id)
    state = crashed.state
    cause = one_line((state.message if state else None) or "no message")
    with composed(crashed.parameters.get("config"), run_migrations=False) as services:
        told = send_run_alert(
            services,
            flow_name=owner.name,
            flow_run=crashed,
            state=(state.name if state else None) or "Crashed",
            cause=cause,
        )
        await _close_when_dead(services, str(crashed.id))
    return told


async def _close_when_dead(services: Services, flow_run_id: str) -> None:
    """Wait out the run's lease (at most `storage.leases.LEASE`): a run that renews it
    meanwhile is alive and stays open; one that does not is closed as crashed."""
    seconds = seconds_left_on_lease(services.uow, flow_run_id, logger)
    if seconds is None:
        return
    await asyncio.sleep(seconds + 1)
    crashes.reclaim(services, None, found_by="the crash automation (operator-alert)")
