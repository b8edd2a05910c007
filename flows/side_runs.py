"""A run row for the flows beside the nightly one (submission, deadlines, monitoring), so
their e-mails have a run to belong to and their outcome is in the `runs` table too.

Each of them also does the chores every run shares: it keeps its lease while it works,
closes runs whose process died (`flows.crashes`: the monitoring flow finds a night killed
after the last flow of the day), and retries the mail queue before it closes, naming
what still waits in its summary (`mail_waiting`)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from prefect.runtime import flow_run

from flows import crashes, notify
from replenish.bootstrap import Services
from replenish.run_date import run_date
from services.runs import finish_run, keep_alive, start_run


@dataclass
class SideRun:
    """What the flow fills in; `status` and `message` stay "failed" unless it finishes."""

    run_id: str
    as_of: str
    status: str = "failed"
    message: str = "did not finish"
    summary: dict[str, Any] = field(default_factory=dict)


@contextmanager
def recorded_run(services: Services, source: str) -> Iterator[SideRun]:
    """Start a run row, and close it with whatever the body set, even when it raised."""
    as_of = run_date(services.settings.schedule_timezone)
    run = SideRun(run_id=uuid.uuid4().hex, as_of=as_of.isoformat())
    flow_run_id = flow_run.get_id()
    lease = services.settings.run.lease
    start_run(services.uow, run.run_id, as_of, source, flow_run_id, lease=lease)
    try:
        with keep_alive(services.uow, run.run_id, lease):
            crashes.reclaim(services, run.run_id, found_by=f"the {source} flow")
            yield run
    except BaseException as error:
        run.status, run.message = "failed", f"{type(error).__name__}: {error}"
        raise
    finally:
        summary: dict[str, Any] = {"run_id": run.run_id, "as_of": run.as_of}
        summary.update(status=run.status, message=run.message, **run.summary)
        summary["mail_waiting"] = notify.retry_queue(services, run.run_id)
        run.summary = summary
        finish_run(services.uow, run.run_id, summary)
