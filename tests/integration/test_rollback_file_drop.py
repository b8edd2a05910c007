"""Rolling a night back on the file drop, on SQLite and PostgreSQL: unsent orders are
withdrawn, sent ones get a cancellation file once (with its own ledger entry), every
change is audited, the report reaches the buyer and the operator over real SMTP, a
second rollback changes nothing, a non-administrator changes nothing, and a cancellation
that failed is retried by the next pass and written once."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import DATABASES
from rollback_night import (
    ADMIN,
    ADMINS,
    ANN,
    AS_OF,
    MAILING,
    OPERATOR,
    Night,
    fresh_database,
    night_with_orders,
    statuses,
)
from smtp_inbox import Inbox, smtp_server
from sqlalchemy import func, select

from integrations.email.smtp import SmtpMailer
from integrations.erp.file_drop import FileDropErp
from services.decisions import AlreadyDecided, decide
from services.erp_calls import Backoff, CircuitBreaker, ErpCalls
from services.rollback import (
    RollbackRefused,
    RollbackRequest,
    retry_failed_cancellations,
    roll_back_night,
)
from storage.models import AuditRecord, Rollback
from storage.orders import Actor
from storage.unit_of_work import UnitOfWork


@pytest.fixture(params=DATABASES)
def uows(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], UnitOfWork]]:
    with fresh_database(request.param, tmp_path) as factory:
        yield factory


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        yield inbox, port


def mailer(port: int) -> SmtpMailer:
    return SmtpMailer("127.0.0.1", port, attempts=1, timeout=5, sleep=lambda _: None)


def one_try() -> ErpCalls:
    return ErpCalls(Backoff(attempts=1), CircuitBreaker(10**9, 0.0))


def everything(uows: Callable[[], UnitOfWork], night: Night, drop: Path) -> tuple[object, ...]:
    """What a rollback may change: order states, audit rows, rollbacks, files, ledger."""
    with uows() as uow:
        audits = uow.session.scalar(select(func.count(AuditRecord.id)))
        rollbacks = uow.session.scalar(select(func.count(Rollback.id)))
    ledger = drop.with_name(drop.name + ".ledger")
    return (statuses(uows, night), audits, rollbacks, sorted(p.name for p in drop.iterdir()),
            ledger.read_text())  # fmt: skip


def test_a_night_on_the_file_drop_is_withdrawn_and_cancelled_once_audited_and_mailed(
    uows: Callable[[], UnitOfWork], tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    drop = tmp_path / "erp-drop"
    erp = FileDropErp(drop)
    night = night_with_orders(uows, erp)
    sent = [night.keys["sent_a"], night.keys["sent_b"]]
    sent_files = {key: (drop / f"{key}.json").read_text() for key in sent}

    report = roll_back_night(uows, erp, mailer(port), night.request(), administrators=ADMINS,
                             mailing=MAILING, calls=one_try())  # fmt: skip

    assert report.counts() == {"withdrawn": 3, "cancelled": 2, "too_late": 0, "failed": 0,
                               "unchanged": 1, "pending": 0}  # fmt: skip
    assert report.complete
    assert not report.already_rolled_back
    assert statuses(uows, night) == {
        "sent_a": "cancelled", "sent_b": "cancelled", "unsent": "withdrawn",
        "waiting": "withdrawn", "approved": "withdrawn", "rejected": "rejected",
    }  # fmt: skip
    # A cancellation file per sent order: the order exactly as it was sent, same format.
    for key in sent:
        assert (drop / f"CANCEL-{key}.json").read_text() == sent_files[key]
    ledger_text = drop.with_name("erp-drop.ledger").read_text()
    ledger = [json.loads(line) for line in ledger_text.splitlines()]
    cancels = [(e["key"], e["state"]) for e in ledger if e["key"].startswith("CANCEL-")]
    assert sorted(cancels) == sorted(
        (f"CANCEL-{k}", state) for k in sent for state in ("writing", "written")
    )
    # Audited: who, through which channel, why; the run's own record too.
    with uows() as uow:
        trail = uow.orders.audit_trail(night.keys["waiting"])
        cancelled = uow.orders.audit_trail(night.keys["sent_a"])
        run_records = uow.session.scalars(
            select(AuditRecord).where(AuditRecord.entity_key == night.run_id)
        ).all()
    last = trail[-1]
    assert (last.actor, last.channel, last.to_state) == (ADMIN, "cli", "withdrawn")
    assert last.reason == "rolled back: the stock extract was a week old"
    assert [r.to_state for r in cancelled[-2:]] == ["cancelling", "cancelled"]
    assert {(r.entity, r.action) for r in run_records} == {
        ("run", "rollback"),
        ("run", "rollback_finished"),
    }
    # The buyer the night's orders were routed to and the operator, each once.
    for person in (ANN, OPERATOR):
        [mail] = [m for m in inbox.to(person) if night.run_id in str(m["Subject"])]
        body = mail.get_content()
        assert "3 withdrawn, 2 cancelled, 0 too late, 0 failed" in str(mail["Subject"])
        assert f"rolled back by {ADMIN}" in body
        assert "through the command line" in body
        assert "Why: the stock extract was a week old" in body
        assert f"{night.keys['sent_a']}: cancelled in the ERP" in body
    # A buyer's late click on the withdrawn order is refused with what happened.
    with pytest.raises(AlreadyDecided, match="withdrawn: its night was rolled back"):
        decide(uows, night.keys["waiting"], "approve", Actor(ANN, "review-page"))


def test_a_second_rollback_of_the_night_changes_nothing_and_says_so(
    uows: Callable[[], UnitOfWork], tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    drop = tmp_path / "erp-drop"
    erp = FileDropErp(drop)
    night = night_with_orders(uows, erp)
    first = roll_back_night(uows, erp, mailer(port), night.request(), administrators=ADMINS,
                            mailing=MAILING, calls=one_try())  # fmt: skip
    before, mails = everything(uows, night, drop), len(inbox.messages)

    # Asked again, by the first 8 characters the run summary shows, through another channel.
    by_prefix = RollbackRequest(night.run_id[:8], "again", ADMIN, "prefect-ui")
    again = roll_back_night(uows, FileDropErp(drop), mailer(port), by_prefix,
                            administrators=ADMINS, mailing=MAILING, calls=one_try())  # fmt: skip

    assert again.already_rolled_back
    assert "was already rolled back" in again.headline()
    assert "nothing changed" in again.headline()
    assert again.orders == first.orders
    assert again.channel == "cli"
    assert everything(uows, night, drop) == before
    assert len(inbox.messages) == mails


def test_only_an_administrator_may_roll_back_and_a_refusal_changes_nothing(
    uows: Callable[[], UnitOfWork], tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    drop = tmp_path / "erp-drop"
    night = night_with_orders(uows, FileDropErp(drop))
    before, mails = everything(uows, night, drop), len(inbox.messages)

    for who in (ANN, "mallory@example.com"):
        with pytest.raises(RollbackRefused, match="not an administrator"):
            roll_back_night(uows, FileDropErp(drop), mailer(port), night.request(person=who),
                            administrators=ADMINS, mailing=MAILING)  # fmt: skip
    with uows() as uow:  # a run still going (or one whose crash is not recorded yet)
        uow.runs.start("f" * 32, AS_OF, "/data", datetime.now(UTC), None)
        uow.commit()
    for run_id, why in (("f" * 32, "still running"), ("0123", "there is no run"),
                        (night.run_id[:4], "there is no run")):  # fmt: skip
        asked = RollbackRequest(run_id, "bad", ADMIN, "cli")
        with pytest.raises(RollbackRefused, match=why):
            roll_back_night(uows, FileDropErp(drop), mailer(port), asked,
                            administrators=ADMINS, mailing=MAILING)  # fmt: skip

    assert everything(uows, night, drop) == before
    assert len(inbox.messages) == mails


def test_a_failed_cancellation_is_retried_by_the_next_pass_and_reaches_the_erp_once(
    uows: Callable[[], UnitOfWork], tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    drop = tmp_path / "erp-drop"
    night = night_with_orders(uows, FileDropErp(drop))
    # The importer took the files, and the share is gone: a file where the folder was.
    imported = tmp_path / "imported"
    drop.rename(imported)
    drop.write_text("the share is not mounted")

    report = roll_back_night(uows, FileDropErp(drop), mailer(port), night.request(),
                             administrators=ADMINS, mailing=MAILING, calls=one_try())  # fmt: skip

    assert report.counts()["failed"] == 2
    assert not report.complete
    assert all("the next run tries again" in o.detail for o in report.orders
               if o.outcome == "failed")  # fmt: skip
    assert statuses(uows, night)["sent_a"] == "cancelling"

    drop.unlink()  # the share is back (empty: the importer emptied it)
    retried = retry_failed_cancellations(
        uows, FileDropErp(drop), mailer(port), Actor("replenish run", "nightly-run"),
        run_id=night.run_id, mailing=MAILING, calls=one_try(),
    )  # fmt: skip
    assert sorted((o.po_key, o.outcome.value) for o in retried) == sorted(
        (night.keys[role], "cancelled") for role in ("sent_a", "sent_b")
    )
    assert sorted(p.name for p in drop.iterdir()) == sorted(
        f"CANCEL-{night.keys[role]}.json" for role in ("sent_a", "sent_b")
    )
    again = retry_failed_cancellations(
        uows, FileDropErp(drop), mailer(port), Actor("replenish run", "nightly-run"),
        run_id=night.run_id, mailing=MAILING, calls=one_try(),
    )  # fmt: skip
    assert again == []  # nothing left to retry: each cancellation went out once
    [told] = [m for m in inbox.to(OPERATOR) if "rolled-back night" in str(m["Subject"])
              and night.run_id in m.get_content()]  # fmt: skip
    assert "2 settled" in str(told["Subject"])
    # The rollback's record now says cancelled, for a second request to report.
    again_report = roll_back_night(uows, FileDropErp(drop), mailer(port), night.request(),
                                   administrators=ADMINS, mailing=MAILING)  # fmt: skip
    assert again_report.already_rolled_back
    assert again_report.complete
