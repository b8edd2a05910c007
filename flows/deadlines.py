"""The `chase-deadlines` flow: reminders, escalations to deputies and the hold/expire
outcome for orders past their decision deadline, during the day (the nightly run does
the same once a night; a deadline of a few hours needs more often)."""

from __future__ import annotations

from typing import Any

from prefect import flow

from flows import form_runs, notify
from flows.alerts import tell_operator
from flows.side_runs import recorded_run
from replenish.bootstrap import composed


@flow(name="chase-deadlines", on_failure=[tell_operator], on_crashed=[tell_operator])
def chase_deadlines(config: str | None = None) -> dict[str, Any]:
    """Remind, escalate, hold or expire what waits past its deadline; never approve."""
    with composed(config) as services, recorded_run(services, "chase-deadlines") as run:
        sent = notify.chase_deadlines(services, run.run_id)
        forms = form_runs.refresh_forms(services)
        run.status, run.message = "succeeded", f"{len(sent)} e-mails sent"
        run.summary = {
            "emails": len(sent),
            "prefect_forms_opened": forms.opened,
            "prefect_forms_closed": forms.closed,
        }
    return run.summary
