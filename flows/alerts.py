"""Tell the operator when a run fails or crashes: flow hooks, and the flow behind the
`operator-alert` deployment that a Prefect automation starts when a run crashed so hard
that no hook could run (the process killed, the machine gone).

One e-mail per flow run: the alert is recorded against the run it is about (the
`notifications` table, key `run-alert:<flow run id>`), so the hook and the automation
never both send it. An alert that cannot be sent is logged, never raised: the hook must
not hide the failure it reports.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from prefect import flow
from prefect.client.schemas.objects import FlowRun
from prefect.logging import get_logger
from prefect.states import State
from prefect.utilities.urls import url_for

from approvals.operator_alerts import one_line, run_failed
from flows.outcomes import RunIncomplete
from replenish.bootstrap import Services, build
from replenish.settings import Settings, load_settings

logger: logging.Logger = get_logger("replenish.alerts")


def tell_operator(flow: Any, flow_run: FlowRun, state: State) -> None:
    """`on_failure` / `on_crashed` hook: e-mail the operator the run's URL and cause."""
    try:
        cause = cause_of(state)
        if cause is None:
            return
        settings = settings_for(flow_run.parameters)
        send_run_alert(
            settings,
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


def settings_for(parameters: dict[str, Any]) -> Settings:
    config = parameters.get("config")
    return load_settings(Path(config) if config else None)


def send_run_alert(
    settings: Settings, *, flow_name: str, flow_run: FlowRun, state: str, cause: str
) -> bool:
    """Send the alert once per flow run; True when it was sent now."""
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
    services = build(settings, run_migrations=False)
    try:
        run_id, already_sent = _recorded_run(services, str(flow_run.id), mail.dedupe_key)
        if already_sent:
            return False
        location = services.mailer.send(mail.message)
        logger.info("Told %s that flow run %s %s", mail.recipient, flow_run.name, state)
        if run_id is not None:
            with services.uow() as uow:
                uow.runs.record_notification(
                    run_id,
                    dedupe_key=mail.dedupe_key,
                    kind=mail.kind,
                    recipient=mail.recipient,
                    subject=str(mail.message["Subject"]),
                    location=location,
                    sent_at=datetime.now(UTC),
                )
                uow.commit()
        return True
    finally:
        services.engine.dispose()


def _recorded_run(services: Services, flow_run_id: str, dedupe_key: str) -> tuple[str | None, bool]:
    """The replenish run of this flow run and whether its alert went out already. None
    when the run never reached the database, or the database is the thing that is down:
    the alert is then sent without being recorded."""
    try:
        with services.uow() as uow:
            run = uow.runs.by_flow_run(flow_run_id)
            if run is None:
                return None, False
            return run.id, uow.runs.notification_sent(dedupe_key)
    except Exception:
        logger.warning("No database to record the alert for flow run %s", flow_run_id)
        return None, False


@flow(name="operator-alert")
async def operator_alert(flow_run: str) -> bool:
    """E-mail the operator about a flow run that crashed or failed (started by the
    automation in prefect.yaml with the event's resource id, `prefect.flow-run.<id>`; the
    in-process hooks cover the ordinary cases)."""
    from prefect.client.orchestration import get_client

    async with get_client() as client:
        crashed = await client.read_flow_run(UUID(flow_run.removeprefix("prefect.flow-run.")))
        owner = await client.read_flow(crashed.flow_id)
    state = crashed.state
    cause = one_line((state.message if state else None) or "no message")
    return send_run_alert(
        settings_for(crashed.parameters),
        flow_name=owner.name,
        flow_run=crashed,
        state=(state.name if state else None) or "Crashed",
        cause=cause,
    )
