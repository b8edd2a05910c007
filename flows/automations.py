"""The Prefect automation that marks a replenish flow run Crashed when its heartbeats stop.

A run whose process is killed (SIGKILL, out of memory) together with its worker, or whose
machine vanishes, reports nothing: Prefect would show it Running for ever, hold its
deployment's concurrency slot (cancelling the next run) and never fire the Crashed
automation that e-mails the operator. Every replenish deployment makes its flow runs send
a heartbeat event every 30 s (`PREFECT_FLOWS_HEARTBEAT_FREQUENCY` in prefect.yaml); this
automation (Prefect's "detect zombie flows" recipe, kept to runs tagged `replenish`)
marks a run Crashed when no heartbeat, end or suspension followed its last heartbeat
within `run.silent_after_seconds` (2 minutes unless set; the same as the run's lease in
`runs`, storage.leases). The Crashed state frees the concurrency slot and starts the
`operator-alert` deployment (prefect.yaml), which e-mails the operator and closes the run
in `runs`.

Run it after `prefect deploy --all` (README "Deploying"); it replaces the automation of
the same name, so running it again changes nothing:

    .venv/bin/python -m flows.automations
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from uuid import UUID

from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import StateType
from prefect.events.actions import ChangeFlowRunState
from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture
from prefect.events.schemas.events import ResourceSpecification

from settings import load_settings

NAME = "replenish: crash silent runs"
#: Four heartbeats of 30 s missed: a busy machine never reads as a death (the default of
#: the setting `run.silent_after_seconds`).
SILENT_AFTER = timedelta(minutes=2)
HEARTBEAT = "prefect.flow-run.heartbeat"
#: What may follow a heartbeat instead of the next one: the run ended, or was suspended
#: (an order-decision form waits without a process, and without heartbeats).
ENDINGS = (
    "prefect.flow-run.Completed",
    "prefect.flow-run.Failed",
    "prefect.flow-run.Cancelled",
    "prefect.flow-run.Crashed",
    "prefect.flow-run.Suspended",
    "prefect.flow-run.Paused",
)


def message(silent_after: timedelta) -> str:
    """The Crashed state's message ("No heartbeat for 2 minutes: ...")."""
    minutes = silent_after.total_seconds() / 60
    return (
        f"No heartbeat for {minutes:g} minute{'' if minutes == 1 else 's'}: the flow run's "
        "process died (killed, out of memory, or its machine stopped)"
    )


def silent_runs_automation(silent_after: timedelta = SILENT_AFTER) -> AutomationCore:
    """Crash a replenish flow run that went silent (see the module docstring)."""
    return AutomationCore(
        name=NAME,
        description="Marks a replenish flow run Crashed when its heartbeats stop (issue 24).",
        trigger=EventTrigger(
            after={HEARTBEAT},
            expect={HEARTBEAT, *ENDINGS},
            match=ResourceSpecification({"prefect.resource.id": "prefect.flow-run.*"}),
            match_related=ResourceSpecification(
                {"prefect.resource.role": "tag", "prefect.resource.id": "prefect.tag.replenish"}
            ),
            for_each={"prefect.resource.id"},
            posture=Posture.Proactive,
            threshold=1,
            within=silent_after,
        ),
        actions=[
            ChangeFlowRunState(
                name="Crashed",
                state=StateType.CRASHED,
                message=message(silent_after),
                force=False,
            )
        ],
    )


async def register(silent_after: timedelta = SILENT_AFTER) -> UUID:
    """Create the automation, or replace the one of the same name."""
    automation = silent_runs_automation(silent_after)
    async with get_client() as client:
        existing = await client.read_automations_by_name(NAME)
        if existing:
            await client.update_automation(existing[0].id, automation)
            for duplicate in existing[1:]:
                await client.delete_automation(duplicate.id)
            return existing[0].id
        return await client.create_automation(automation)


def main() -> None:
    # The environment's REPLENISH_RUN__SILENT_AFTER_SECONDS (or REPLENISH_CONFIG's file).
    silent_after = load_settings().run.lease
    automation_id = asyncio.run(register(silent_after))
    print(f"Automation '{NAME}' ({automation_id}): a silent replenish run is marked Crashed")


if __name__ == "__main__":
    main()
