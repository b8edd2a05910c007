"""Rolling a night back on the REST ERP, over real HTTP (tests/erp_rest_server.py): each
sent order is cancelled once with its own Idempotency-Key, an order the ERP keeps is
reported too late with the ERP's words, and a cancellation whose answer was lost (the ERP
down, or answering after our timeout) is retried by the next pass without a second
cancellation."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import DATABASES
from erp_rest_server import ErpRestServer
from rollback_night import ADMINS, MAILING, fresh_database, night_with_orders, statuses

from integrations.email.outbox import OutboxMailer
from integrations.erp.rest import RestErp
from services.erp_calls import Backoff, CircuitBreaker, ErpCalls
from services.rollback import retry_failed_cancellations, roll_back_night
from storage.orders import Actor
from storage.unit_of_work import UnitOfWork

TOKEN = "rest-rollback-token"
RETRY = Actor("replenish run", "nightly-run")


@pytest.fixture(params=DATABASES)
def uows(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], UnitOfWork]]:
    with fresh_database(request.param, tmp_path) as factory:
        yield factory


@pytest.fixture
def server() -> Iterator[ErpRestServer]:
    erp = ErpRestServer(token=TOKEN).up()
    yield erp
    erp.down()


def client(server: ErpRestServer, read_timeout: float = 5.0) -> RestErp:
    return RestErp(server.base_url, token=TOKEN, read_timeout=read_timeout)


def one_try() -> ErpCalls:
    return ErpCalls(Backoff(attempts=1), CircuitBreaker(10**9, 0.0))


def test_sent_orders_are_cancelled_once_and_one_the_erp_keeps_is_too_late(
    uows: Callable[[], UnitOfWork], server: ErpRestServer, tmp_path: Path
) -> None:
    night = night_with_orders(uows, client(server))
    kept, cancelled = night.keys["sent_a"], night.keys["sent_b"]
    server.refuse_cancel(kept, "goods already shipped on 2026-11-30")

    report = roll_back_night(
        uows, client(server), OutboxMailer(tmp_path / "outbox"), night.request(),
        administrators=ADMINS, mailing=MAILING, calls=one_try(),
    )  # fmt: skip

    assert report.counts() == {"withdrawn": 3, "cancelled": 1, "too_late": 1, "failed": 0,
                               "unchanged": 1, "pending": 0}  # fmt: skip
    assert not report.complete
    outcome = {o.po_key: o for o in report.orders}
    assert outcome[kept].detail == "goods already shipped on 2026-11-30"
    assert server.cancellations == [cancelled]
    assert [o.get("status") for o in server.held(cancelled)] == ["cancelled"]
    assert [o.get("status") for o in server.held(kept)] == [None]
    cancel_calls = [key for method, key in server.requests if key and key.endswith(":cancel")]
    assert sorted(cancel_calls) == sorted([f"{kept}:cancel", f"{cancelled}:cancel"])
    after = statuses(uows, night)
    assert (after["sent_a"], after["sent_b"]) == ("submitted", "cancelled")  # kept: still sent
    with uows() as uow:
        last = uow.orders.audit_trail(kept)[-1]
    assert last.to_state == "submitted"
    assert last.reason == "too late to cancel: goods already shipped on 2026-11-30"
    # Nothing new was created in the ERP: only the night's two orders are there.
    assert sorted(o["reference"] for o in server.orders) == sorted([kept, cancelled])


def test_a_cancellation_whose_answer_was_lost_is_retried_and_not_cancelled_twice(
    uows: Callable[[], UnitOfWork], server: ErpRestServer, tmp_path: Path
) -> None:
    night = night_with_orders(uows, client(server))
    sent = sorted([night.keys["sent_a"], night.keys["sent_b"]])
    outbox = OutboxMailer(tmp_path / "outbox")
    # The ERP commits each cancellation but answers only after our timeout.
    server.answer_late(1.5)

    report = roll_back_night(uows, client(server, read_timeout=0.5), outbox, night.request(),
                             administrators=ADMINS, mailing=MAILING, calls=one_try())  # fmt: skip

    failed = sorted(o.po_key for o in report.orders if o.outcome == "failed")
    assert failed == sent  # no answer: failed, not guessed
    assert sorted(server.cancellations) == sent
    assert statuses(uows, night)["sent_a"] == "cancelling"
    server.answer_late(0.0)

    retried = retry_failed_cancellations(uows, client(server), outbox, RETRY,
                                         run_id=night.run_id, mailing=MAILING,
                                         calls=one_try())  # fmt: skip

    assert sorted((o.po_key, o.outcome.value) for o in retried) == [(k, "cancelled") for k in sent]
    assert sorted(server.cancellations) == sent  # each cancelled in the ERP exactly once
    assert retry_failed_cancellations(uows, client(server), outbox, RETRY, run_id=night.run_id,
                                      mailing=MAILING, calls=one_try()) == []  # fmt: skip
    assert sorted(server.cancellations) == sent


def test_an_erp_down_for_the_rollback_leaves_the_cancellations_failed_for_the_next_run(
    uows: Callable[[], UnitOfWork], server: ErpRestServer, tmp_path: Path
) -> None:
    night = night_with_orders(uows, client(server))
    server.down()
    report = roll_back_night(
        uows, client(server, read_timeout=1.0), OutboxMailer(tmp_path / "outbox"),
        night.request(), administrators=ADMINS, mailing=MAILING, calls=one_try(),
    )  # fmt: skip
    assert report.counts()["failed"] == 2
    assert report.counts()["withdrawn"] == 3
    assert all("cannot reach the ERP" in o.detail for o in report.orders if o.outcome == "failed")
    server.up()
    retried = retry_failed_cancellations(uows, client(server), OutboxMailer(tmp_path / "outbox"),
                                         RETRY, run_id=night.run_id, mailing=MAILING,
                                         calls=one_try())  # fmt: skip
    assert {o.outcome.value for o in retried} == {"cancelled"}
    assert sorted(server.cancellations) == sorted([night.keys["sent_a"], night.keys["sent_b"]])
