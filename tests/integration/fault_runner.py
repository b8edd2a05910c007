"""The submit stage (or, with `FAULT_STAGE=route`, the review e-mails; with
`FAULT_STAGE=nightly`, a whole nightly run) in a process of its own, killed with SIGKILL
at a chosen point.

`FAULT_KILL_AT` names the point (nothing: run to the end):
- `commit:N`: right after the Nth database commit (each order commits its claim, then its
  result: 1 = claimed and `submitting`, 2 = first order recorded `submitted`, ...);
- `part_written`: the order's file complete under its temporary name, ledger not told;
- `ledger_writing`: the ledger says `writing`, the file not yet renamed into place;
- `renamed`: the file published in the drop folder, the ledger not yet told;
- `ledger_written`: the ledger says `written`, the database not yet told;
- `mail_sent`: an e-mail handed to the mail transport, the database not yet told;
- `erp_committed`: the REST ERP created the order and answered, the database not yet told;
- `fsync_part`: the order's file written under its temporary name, not yet on disk;
- `stage:plan`: the nightly run recorded `running` and forecast, the plan stage starting
  (`FAULT_STAGE=nightly`; `FAULT_SOURCE` is the extract, `FAULT_AS_OF` the night).
The ERP calls retry as the nightly run's do (`erp.*` settings from the environment).
The hooks live here, in the test, not in the product: they wrap the real functions.
The submit and route stages are forked by forked_runner.py from a server that imported
them once; the nightly stage runs as `python fault_runner.py` (test_dead_runs.py).
"""

from __future__ import annotations

import json
import logging
import os
import signal
from pathlib import Path
from typing import Any


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def install(point: str) -> None:
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from integrations.erp import file_drop

    kind, _, number = point.partition(":")
    if kind == "stage":
        from flows import ordering

        setattr(ordering, number, lambda *args, **kwargs: die())
        return
    if kind == "commit":
        commits = [0]

        def after_commit(_session: Session) -> None:
            commits[0] += 1
            if commits[0] == int(number):
                die()

        event.listen(Session, "after_commit", after_commit)
        return
    if kind == "mail_sent":
        from integrations.email.outbox import OutboxMailer

        real_send = OutboxMailer.send

        def send(self: Any, message: Any) -> str:
            real_send(self, message)
            die()
            raise AssertionError("unreachable")

        OutboxMailer.send = send  # type: ignore[method-assign]
        return
    if kind == "erp_committed":
        from integrations.erp.rest import RestErp

        real_submit = RestErp.submit

        def submit(self: Any, order: Any) -> Any:
            real_submit(self, order)
            die()

        RestErp.submit = submit  # type: ignore[method-assign]
        return
    if kind == "fsync_part":
        file_drop.os.fsync = lambda _descriptor: die()  # type: ignore[assignment]
        return
    real_record = file_drop.FileDropErp._record
    real_replace = file_drop.os.replace

    def record(self: Any, key: str, state: str) -> None:
        if kind == "part_written" and state == file_drop.WRITING:
            die()
        real_record(self, key, state)
        if kind == "ledger_writing" and state == file_drop.WRITING:
            die()
        if kind == "ledger_written" and state == file_drop.WRITTEN:
            die()

    def replace(source: Any, target: Any) -> None:
        real_replace(source, target)
        if kind == "renamed":
            die()

    file_drop.FileDropErp._record = record  # type: ignore[method-assign]
    file_drop.os.replace = replace  # type: ignore[assignment]


def route() -> None:
    """The review e-mails of every waiting order not yet told, as the route stage sends
    them (`services.notifications.notify_reviewers`)."""
    import uuid
    from datetime import UTC, date, datetime

    from replenish.bootstrap import build
    from services.notifications import notify_reviewers
    from services.review_mail import ReviewMailing
    from settings import load_settings

    services = build(load_settings())
    settings = services.settings
    run_id = uuid.uuid4().hex
    with services.uow() as uow:
        uow.runs.start(run_id, date(2026, 11, 30), "fault", datetime.now(UTC), None)
        uow.commit()  # not counted: the kill points are armed after it
    mailing = ReviewMailing(
        sender=settings.email.sender,
        default_approver=settings.approvals.default_approver,
        review_hours=settings.approvals.review_hours,
        links=services.links,
    )
    point = os.environ.get("FAULT_KILL_AT", "")
    if point:
        install(point)
    sent = notify_reviewers(
        services.uow, services.mailer, mailing, run_id=run_id, as_of=date(2026, 11, 30),
        notices={}, log=logging.getLogger("route"),
    )  # fmt: skip
    Path(os.environ["FAULT_OUTCOME"]).write_text(json.dumps({"sent": sent}))


def nightly() -> None:
    """One nightly run, as `replenish run` starts it (the flow, on the Prefect server of
    PREFECT_API_URL), killed at FAULT_KILL_AT."""
    from datetime import date

    from flows.nightly import nightly_replenishment
    from flows.outcomes import summary_of

    point = os.environ.get("FAULT_KILL_AT", "")
    if point:
        install(point)
    state = nightly_replenishment(
        source=os.environ["FAULT_SOURCE"],
        as_of=date.fromisoformat(os.environ["FAULT_AS_OF"]),
        return_state=True,
    )
    summary = summary_of(state.result(raise_on_failure=False))
    Path(os.environ["FAULT_OUTCOME"]).write_text(json.dumps(summary, default=str))


def main() -> None:
    if os.environ.get("FAULT_STAGE") == "route":
        route()
        return
    if os.environ.get("FAULT_STAGE") == "nightly":
        nightly()
        return
    point = os.environ.get("FAULT_KILL_AT", "")
    if point:
        install(point)
    import flows.submission as submission
    from replenish.bootstrap import build
    from services.erp_calls import calls_for
    from settings import load_settings

    # outside a flow run Prefect has no run logger; the stage's own logic is unchanged
    def run_logger() -> logging.Logger:
        return logging.getLogger("submit")

    # ignore: a stand-in for Prefect's function, whose declared return type is wider
    submission.get_run_logger = run_logger  # type: ignore[assignment]
    services = build(load_settings())
    outcome = submission.submit.fn(services, calls_for(services.settings.erp))
    Path(os.environ["FAULT_OUTCOME"]).write_text(
        json.dumps({"submitted": outcome.submitted, "failed": outcome.failed})
    )


if __name__ == "__main__":
    main()
