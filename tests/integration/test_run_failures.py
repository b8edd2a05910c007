"""Failure that heals, on a real Prefect test server: the ERP down then up, an exception in
a stage (recorded failed, the operator e-mailed through a real SMTP server on loopback).

The ERP is made unreachable the way a file drop fails in life: its folder cannot be
created (a file is in the way); it comes back when the file is removed.
"""

from __future__ import annotations

import email
import itertools
import json
import socket
from collections.abc import Iterator
from datetime import date, timedelta
from email import policy
from pathlib import Path
from typing import Any

import pytest
from prefect import task
from prefect.cache_policies import NO_CACHE
from smtp_inbox import Inbox, smtp_server
from sqlalchemy import select

from cli.sample_data import write_sample_data
from flows import ordering
from flows.nightly import nightly_replenishment
from flows.outcomes import RunPartial, summary_of
from flows.submit_approved import submit_approved
from replenish.bootstrap import build
from settings import load_settings
from storage.models import PurchaseOrder, Submission

pytestmark = [pytest.mark.prefect, pytest.mark.usefixtures("prefect_server")]

_NIGHTS = itertools.count()


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[int, Inbox]]:
    """A real SMTP server on a free loopback port for the module."""
    mailbox = Inbox()
    with smtp_server(mailbox) as port:
        yield port, mailbox


@pytest.fixture
def night(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, date]:
    """A sample extract for a night no other test plans, outputs inside tmp_path."""
    as_of = date(2026, 8, 20) - timedelta(days=next(_NIGHTS))
    monkeypatch.setenv("REPLENISH_ERP__DROP_DIR", str(tmp_path / "erp-drop"))
    monkeypatch.setenv("REPLENISH_EMAIL__OUTBOX_DIR", str(tmp_path / "outbox"))
    write_sample_data(tmp_path / "data", items=20, seed=5, dirty=0.0, as_of=as_of)
    return tmp_path, as_of


def run_night(folder: Path, as_of: date) -> tuple[str, dict[str, Any]]:
    state = nightly_replenishment(source=str(folder / "data"), as_of=as_of, return_state=True)
    summary = summary_of(state.result(raise_on_failure=False))
    assert summary is not None, state.message
    return state.type.value, summary


def test_erp_down_then_up_submits_each_order_exactly_once(
    night: tuple[Path, date], own_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A database of its own: a night retries every approved order the database holds, so
    # one another test left unsent would be tried here too and counted as failed twice.
    folder, as_of = night
    monkeypatch.setenv("REPLENISH_DATABASE_URL", own_database)
    monkeypatch.setenv("REPLENISH_ERP__SUBMIT_RETRIES", "1")
    monkeypatch.setenv("REPLENISH_ERP__RETRY_DELAY_SECONDS", "[0]")
    monkeypatch.setenv("REPLENISH_ERP__ALERT_AFTER_ATTEMPTS", "2")
    # One call per order per pass and no circuit breaker (a cool-down of 0): every order
    # is tried in both passes (tests/integration/test_erp_faults.py covers the breaker).
    monkeypatch.setenv("REPLENISH_ERP__CALL_ATTEMPTS", "1")
    monkeypatch.setenv("REPLENISH_ERP__BREAKER_RESET_SECONDS", "0")
    drop = folder / "erp-drop"
    drop.write_text("the ERP is down")  # a file where the drop folder should be

    state, first = run_night(folder, as_of)
    assert state == "FAILED"  # partial is not green
    assert first["status"] == "partial"
    failed = set(first["submission_failures"])
    assert failed
    assert first["submitted"] == 0
    services = build(load_settings())
    with services.uow() as uow:
        rows = uow.session.scalars(select(Submission).where(Submission.po_key.in_(failed))).all()
        assert {row.po_key: row.attempts for row in rows} == dict.fromkeys(failed, 2)  # retried
        run_row = uow.runs.get(first["run_id"])
        assert run_row is not None
        assert run_row.status == "partial"
    alerts = [
        email.message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in (folder / "outbox").glob("*.eml")
    ]
    alerted = {str(m["Subject"]).split()[3] for m in alerts if "ERP submissions" in m["Subject"]}
    assert alerted == failed  # each order that kept failing told the operator, once
    partial = [m for m in alerts if str(m["Subject"]).startswith("replenish: nightly-")]
    assert len(partial) == 1  # the failure hook: a partial run is a failed flow run
    assert "could not be submitted to the ERP" in str(partial[0].get_content())

    drop.unlink()  # the ERP is back
    state, second = run_night(folder, as_of)
    assert state == "COMPLETED", second["message"]
    assert second["submitted"] >= len(failed)
    assert _submitted(services, failed) == failed
    files = sorted(p.stem for p in drop.glob("*.json"))
    assert sorted(failed) == sorted(set(files) & failed)
    assert len(files) == len(set(files))

    resubmitted = submit_approved()  # the entry point finds nothing left to send
    assert resubmitted["submitted"] == 0
    assert sorted(p.stem for p in drop.glob("*.json")) == files
    for key in failed:
        assert json.loads((drop / f"{key}.json").read_text())["po_key"] == key


def _submitted(services: Any, keys: set[str]) -> set[str]:
    with services.uow() as uow:
        return set(
            uow.session.scalars(
                select(PurchaseOrder.po_key).where(
                    PurchaseOrder.po_key.in_(keys), PurchaseOrder.status == "submitted"
                )
            )
        )


def test_the_submission_entry_point_resubmits_a_failed_order(
    night: tuple[Path, date], sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, as_of = night
    monkeypatch.setenv("REPLENISH_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("REPLENISH_ERP__SUBMIT_RETRIES", "0")
    drop = folder / "erp-drop"
    drop.write_text("the ERP is down")
    _, first = run_night(folder, as_of)
    failed = set(first["submission_failures"])
    assert failed
    state = submit_approved(return_state=True)  # still down: partial, not green
    assert state.type.value == "FAILED"
    assert isinstance(state.result(raise_on_failure=False), RunPartial)
    drop.unlink()
    done = submit_approved()
    assert failed <= {p.stem for p in drop.glob("*.json")}
    assert done["status"] == "succeeded"
    assert done["submitted"] >= len(failed)


@task(name="plan", cache_policy=NO_CACHE)
def _broken_plan(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("order arithmetic exploded")


def test_an_exception_in_a_stage_is_recorded_and_the_operator_emailed(
    night: tuple[Path, date],
    sqlite_url: str,
    smtp: tuple[int, Inbox],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder, as_of = night
    port, mailbox = smtp
    operator = f"ops-{as_of:%m%d}@acme.test"
    monkeypatch.setenv("REPLENISH_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("REPLENISH_EMAIL__TRANSPORT", "smtp")
    monkeypatch.setenv("REPLENISH_EMAIL__SMTP_PORT", str(port))
    monkeypatch.setenv("REPLENISH_APPROVALS__OPERATOR", operator)
    monkeypatch.setattr(ordering, "plan", _broken_plan)

    state = nightly_replenishment(source=str(folder / "data"), as_of=as_of, return_state=True)

    assert state.type.value == "FAILED"
    services = build(load_settings())
    with services.uow() as uow:
        run_row = uow.runs.by_flow_run(str(state.state_details.flow_run_id))
        assert run_row is not None
        assert run_row.status == "failed"
        assert run_row.finished_at is not None
        assert "plan failed: RuntimeError: order arithmetic exploded" in run_row.message
    alerts = [m for m in mailbox.messages if m["To"] == operator]
    assert len(alerts) == 1
    text = str(alerts[0].get_content())
    assert "order arithmetic exploded" in text
    assert str(state.state_details.flow_run_id) in text
    assert "nightly-replenishment" in str(alerts[0]["Subject"])


def test_a_run_that_raised_exits_1_with_its_recorded_summary(
    night: tuple[Path, date],
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """README: `failed` (a bug, the database down, a crash) exits 1; 2 is a usage error."""
    from cli import main as cli
    from cli.exit_codes import ExitCode

    folder, as_of = night
    monkeypatch.setenv("REPLENISH_DATABASE_URL", sqlite_url)
    monkeypatch.setattr(ordering, "plan", _broken_plan)

    code = cli.main(["run", "--source", str(folder / "data"), "--as-of", str(as_of), "--json"])

    assert code == ExitCode.FAILED
    assert code == 1  # the number an operator's script tests
    printed = json.loads(capsys.readouterr().out)
    assert printed["status"] == "failed"
    assert "plan failed: RuntimeError: order arithmetic exploded" in printed["message"]


def test_submit_runs_when_the_review_emails_cannot_be_sent(
    night: tuple[Path, date], sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, as_of = night
    with socket.socket() as probe:  # a loopback port nobody listens on: SMTP is down
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    monkeypatch.setenv("REPLENISH_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("REPLENISH_EMAIL__TRANSPORT", "smtp")
    monkeypatch.setenv("REPLENISH_EMAIL__SMTP_PORT", str(dead_port))
    monkeypatch.setenv("REPLENISH_EMAIL__SEND_RETRIES", "0")
    monkeypatch.setenv("REPLENISH_EMAIL__SMTP_ATTEMPTS", "1")  # no backoff towards nobody
    monkeypatch.setenv("REPLENISH_FLAGS__ORDER_VALUE_LIMIT", "1500")

    state, summary = run_night(folder, as_of)

    assert state == "FAILED"
    assert summary["status"] == "partial"
    assert any(p.startswith("route failed") for p in summary["problems"])
    assert summary["orders"]["pending_review"] > 0  # there were e-mails to send
    assert summary["submitted"] >= summary["orders"]["auto_approved"] > 0  # sent anyway
    assert len(list((folder / "erp-drop").glob("*.json"))) == summary["submitted"]


def test_the_crash_automation_flow_emails_the_operator(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the automation runs when a worker's process died (no hook could run)."""
    from prefect import flow
    from prefect.client.orchestration import get_client
    from prefect.states import Crashed

    from flows.alerts import operator_alert

    monkeypatch.setenv("REPLENISH_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("REPLENISH_EMAIL__OUTBOX_DIR", str(tmp_path / "outbox"))

    @flow(name="nightly-replenishment")
    def killed() -> None:
        """Stands in for the run whose process was killed."""

    async def crashed_run() -> str:
        async with get_client() as client:
            run = await client.create_flow_run(
                killed, state=Crashed(message="Process exited with status code -9")
            )
        return f"prefect.flow-run.{run.id}"

    import asyncio

    resource = asyncio.run(crashed_run())
    assert asyncio.run(operator_alert(flow_run=resource)) is True
    # The flow sends the whole mail queue: earlier tests' mail may go out with it.
    messages = [
        email.message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in (tmp_path / "outbox").glob("*.eml")
    ]
    about = [m for m in messages if resource.removeprefix("prefect.flow-run.") in _text(m)]
    assert len(about) == 1
    message = about[0]
    assert "nightly-replenishment" in str(message["Subject"])
    assert "crashed" in str(message["Subject"]).lower()
    assert "status code -9" in str(message.get_content())


def _text(message: email.message.EmailMessage) -> str:
    body = message.get_body(("plain",))
    return str(body.get_content()) if body is not None else ""


def test_the_hook_names_the_cause_and_skips_a_stop_already_reported() -> None:
    """The data-quality alert already told the operator why; the hook adds no second one."""
    from prefect import flow

    from flows.alerts import cause_of
    from flows.outcomes import RunStopped

    seen: list[str | None] = []

    def hook(flow: Any, flow_run: Any, state: Any) -> None:
        seen.append(cause_of(state))

    @flow(on_failure=[hook])
    def stops() -> None:
        raise RunStopped({"status": "stopped", "message": "quality gate"}, operator_told=True)

    @flow(on_failure=[hook])
    def partly() -> None:
        raise RunPartial({"status": "partial", "message": "2 orders could not be submitted"})

    @flow(on_failure=[hook])
    def breaks() -> None:
        raise OSError("disk full")

    for run in (stops, partly, breaks):
        assert run(return_state=True).type.value == "FAILED"
    assert seen == [None, "2 orders could not be submitted", "OSError: disk full"]
