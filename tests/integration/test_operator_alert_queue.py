"""Operator alerts go through the mail queue like buyer e-mails (issue 24, point 3): with
the real SMTP server (aiosmtpd) down, a failed night's alert is queued, not lost, and
named in the run summaries; when the server is back on its port, the next flow that sends
mail delivers it, once."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from prefect import task
from prefect.cache_policies import NO_CACHE
from smtp_inbox import Inbox, free_port, smtp_server

from cli.sample_data import write_sample_data
from contracts.run_summary import summary_from_json
from flows import ordering
from flows.nightly import nightly_replenishment
from flows.outcomes import summary_of
from flows.submit_approved import submit_approved
from replenish.bootstrap import build
from services.run_summary import render_text
from settings import load_settings

pytestmark = [pytest.mark.prefect, pytest.mark.usefixtures("prefect_server")]

AS_OF = date(2026, 9, 2)
OPERATOR = "ops-queue@acme.test"


@task(name="plan", cache_policy=NO_CACHE)
def _broken_plan(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("order arithmetic exploded")


@pytest.fixture
def smtp_down(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """A database of the test's own and the SMTP server's port, with nothing listening."""
    port = free_port()
    write_sample_data(tmp_path / "data", items=12, seed=5, dirty=0.0, as_of=AS_OF)
    for name, value in {
        "REPLENISH_DATABASE_URL": f"sqlite:///{tmp_path / 'queue.db'}",
        "REPLENISH_ERP__DROP_DIR": str(tmp_path / "erp-drop"),
        "REPLENISH_EMAIL__TRANSPORT": "smtp",
        "REPLENISH_EMAIL__SMTP_PORT": str(port),
        "REPLENISH_EMAIL__SEND_RETRIES": "0",
        "REPLENISH_EMAIL__SMTP_ATTEMPTS": "1",  # each send fails at once, no backoff
        "REPLENISH_APPROVALS__OPERATOR": OPERATOR,
        "REPLENISH_APPROVALS__PREFECT_FORMS": "false",
    }.items():
        monkeypatch.setenv(name, value)
    return port


def test_an_operator_alert_waits_for_the_mail_server_and_goes_out_when_it_is_back(
    tmp_path: Path, smtp_down: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as broken:
        broken.setattr(ordering, "plan", _broken_plan)
        failed = nightly_replenishment(
            source=str(tmp_path / "data"), as_of=AS_OF, return_state=True
        )
    assert failed.type.value == "FAILED"

    services = build(load_settings())
    with services.uow() as uow:
        queued = [m for m in uow.mail.unsent() if m.kind == "run_alert"]
        assert len(queued) == 1  # kept, with what the server said
        alert = queued[0].subject
        assert "RuntimeError: order arithmetic exploded" in alert
        assert "Connection refused" in (queued[0].last_error or "")
        run = uow.runs.by_flow_run(str(failed.state_details.flow_run_id))
        assert run is not None
        assert run.summary is not None
        assert run.summary["mail_waiting"]["operator_alerts"] == [alert]  # the run says so

    # The next night, the mail server still down: its summary names the alert.
    state = nightly_replenishment(source=str(tmp_path / "data"), as_of=AS_OF, return_state=True)
    summary = summary_of(state.result(raise_on_failure=False))
    assert summary is not None
    assert alert in summary["mail_waiting"]["operator_alerts"]
    assert f"NOT SENT to the operator: {alert}" in render_text(summary_from_json(summary))
    # (the second night ended partial for want of e-mail: its own alert waits too)
    assert alert in submit_approved()["mail_waiting"]["operator_alerts"]

    inbox = Inbox()
    with smtp_server(inbox, port=smtp_down):  # the mail server is back on its port
        after = submit_approved()
        submit_approved()
    told = [str(m["Subject"]) for m in inbox.to(OPERATOR)]
    assert told.count(alert) == 1
    assert after["mail_waiting"]["messages"] == 0
    with services.uow() as uow:
        assert not [m for m in uow.mail.unsent() if m.kind == "run_alert"]
    services.engine.dispose()
