"""Submit approved orders and record a run: the services over in-memory fakes of the unit
of work and the ERP port (the real adapters and databases: tests/integration)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from fakes import FakeErp, FakeUnitOfWork, Store, stored_order

from domain.actors import Actor
from services.runs import finish_run, start_run
from services.submission import erp_order, submit_approved

NIGHT = Actor("nightly-run", "prefect")


def test_approved_orders_go_to_the_erp_once_with_the_buyers_quantities() -> None:
    store = Store()
    stored_order(store, "A", "auto_approved", [("a1", "12", None, "2.5")])
    # the buyer doubled b1 and dropped b2: b2 is left out, the value is revalued
    stored_order(store, "B", "approved", [("b1", "6", "12", "1.333"), ("b2", "4", "0", "9")])
    stored_order(store, "C", "pending_review", [("c1", "1", None, "1")])
    stored_order(store, "D", "rejected", [("d1", "1", None, "1")])
    erp = FakeErp()

    first = submit_approved(FakeUnitOfWork(store), erp, NIGHT)

    assert sorted(first.submitted) == ["A", "B"]
    assert first.failed == {}
    sent = erp.held["B"]
    assert [(ln.sku, ln.quantity, ln.line_value) for ln in sent.lines] == [
        ("b1", Decimal("12"), Decimal("16.00"))  # 12 x 1.333 = 15.996, to the cent
    ]
    assert sent.value == Decimal("16.00")
    assert {k: store.orders[k].status for k in "ABCD"} == {
        "A": "submitted", "B": "submitted", "C": "pending_review", "D": "rejected"
    }  # fmt: skip
    assert store.claims["A"].external_ref == "ERP-A"

    again = submit_approved(FakeUnitOfWork(store), erp, NIGHT)
    assert (again.submitted, again.already_in_erp, again.failed) == ([], [], {})
    assert len(erp.held) == 2


def test_an_erp_outage_fails_the_order_and_the_next_attempt_sends_it() -> None:
    store = Store()
    stored_order(store, "A", "approved", [("a1", "3", None, "1")])
    down = FakeErp(unavailable={"A"})

    failed = submit_approved(FakeUnitOfWork(store), down, NIGHT)
    assert failed.failed == {"A": "ERP down for A"}
    assert store.orders["A"].status == "failed"
    assert (store.claims["A"].status, store.claims["A"].attempts) == ("failed", 1)

    down.unavailable.clear()
    retried = submit_approved(FakeUnitOfWork(store), down, NIGHT)
    assert retried.submitted == ["A"]
    assert store.orders["A"].status == "submitted"
    assert store.claims["A"].attempts == 2


def test_an_order_the_erp_rejects_fails_alone_and_is_not_offered_again_that_run() -> None:
    store = Store()
    stored_order(store, "A", "approved", [("a1", "3", None, "1")])
    stored_order(store, "B", "approved", [("b1", "2", None, "1")])
    erp = FakeErp(refused={"A"})

    outcome = submit_approved(FakeUnitOfWork(store), erp, NIGHT)

    assert outcome.rejected == ["A"]
    assert outcome.failed == {"A": "unknown supplier on A"}
    assert outcome.submitted == ["B"]
    assert (store.claims["A"].status, store.claims["A"].attempts) == ("rejected", 1)
    assert store.orders["A"].status == "failed"
    assert list(erp.held) == ["B"]


def test_an_order_the_erp_already_holds_is_not_created_again() -> None:
    """A crash after the ERP call and before our commit leaves the order `submitting`."""
    store = Store()
    crashed = stored_order(store, "A", "submitting", [("a1", "3", None, "1")])
    erp = FakeErp()
    erp.submit(erp_order(crashed))  # what the crashed attempt created

    outcome = submit_approved(FakeUnitOfWork(store), erp, NIGHT)

    assert outcome.already_in_erp == ["A"]
    assert outcome.submitted == []
    assert store.orders["A"].status == "submitted"


def test_a_run_is_recorded_from_its_start_and_closed_with_its_summary() -> None:
    store = Store()
    uow = FakeUnitOfWork(store)
    started = datetime(2026, 11, 30, 1, 30, tzinfo=UTC)
    start_run(uow, "r1", date(2026, 11, 30), "/data", "flow-1", now=started)
    assert store.runs["r1"].status == "running"

    summary = {"status": "partial", "message": "2 e-mails stay queued", "orders": {"lines": 3}}
    finish_run(uow, "r1", summary, now=started.replace(hour=2))

    run = store.runs["r1"]
    assert (run.status, run.message) == ("partial", "2 e-mails stay queued")
    assert run.summary == summary
    assert run.finished_at == started.replace(hour=2)
    assert uow.commits == 2


def test_closing_a_run_that_never_started_fails_and_writes_nothing() -> None:
    store = Store()
    with pytest.raises(KeyError):
        finish_run(FakeUnitOfWork(store), "nope", {"status": "succeeded"})
    assert store.runs == {}
