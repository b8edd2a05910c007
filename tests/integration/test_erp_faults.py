"""Exactly once against a REST ERP that misbehaves, on both databases: killed after the ERP
committed, an answer after our timeout, two submissions at once, the ERP down, an order
refused; and a kill while a CSV file is dropped. Each ends with one order per key in the
ERP and every approved order there.

The test ERP ignores the `Idempotency-Key` (as many real ones do): only our look-up before
every create keeps a key single."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from pathlib import Path

import forked_runner
import pytest
from erp_rest_server import ErpRestServer
from test_fault_injection import ROOT, approved_orders

from domain.lifecycle import OrderStatus
from integrations.erp.rest import RestErp
from services.erp_calls import Backoff, CircuitBreaker, ErpCalls
from services.submission import submit_approved
from storage.database import make_engine, session_factory
from storage.orders import Actor
from storage.unit_of_work import UnitOfWork

ROBOT = Actor("test", "pytest")


@pytest.fixture
def server() -> Iterator[ErpRestServer]:
    erp = ErpRestServer(honour_idempotency=False).up()
    yield erp
    erp.down()


@pytest.fixture
def uows(database_url: str) -> Iterator[tuple[str, object]]:
    engine = make_engine(database_url)
    sessions = session_factory(engine)
    yield database_url, (lambda: UnitOfWork(sessions))
    engine.dispose()


def statuses(uow_factory: object, keys: list[str]) -> set[str]:
    with uow_factory() as uow:  # type: ignore[operator]
        return set(uow.orders.statuses(keys).values())


def calls(attempts: int = 3, breaker: int = 100) -> ErpCalls:
    return ErpCalls(Backoff(attempts, 0.0, 0.0), CircuitBreaker(breaker, 3600.0))


def run_submit(
    url: str, folder: Path, env: dict[str, str], kill_at: str = ""
) -> forked_runner.Forked:
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("REPLENISH_")},
        "REPLENISH_DATABASE_URL": url,
        "REPLENISH_EMAIL__OUTBOX_DIR": str(folder / "outbox"),
        "REPLENISH_ERP__BACKOFF_SECONDS": "0",
        "FAULT_KILL_AT": kill_at,
        "FAULT_OUTCOME": str(folder / f"outcome-{os.urandom(4).hex()}.json"),
        "PYTHONPATH": str(ROOT),
        "PREFECT_LOGGING_LEVEL": "WARNING",
        **env,
    }
    return forked_runner.start(environment, folder)  # runs beside the caller until finish()


def rest_env(server: ErpRestServer) -> dict[str, str]:
    return {"REPLENISH_ERP__ADAPTER": "rest", "REPLENISH_ERP__BASE_URL": server.base_url}


def finish(process: forked_runner.Forked) -> int:
    ended = process.wait(timeout=180)
    assert ended.returncode in (0, -9), ended.stderr[-2000:]
    return ended.returncode


@pytest.mark.slow  # fault injection: a submit process killed, then run again
def test_killed_after_the_erp_committed_the_rerun_adopts_the_order(
    server: ErpRestServer, uows: tuple[str, object], tmp_path: Path
) -> None:
    url, uow_factory = uows
    keys = approved_orders(make_engine(url))
    assert finish(run_submit(url, tmp_path, rest_env(server), "erp_committed")) == -9
    assert finish(run_submit(url, tmp_path, rest_env(server))) == 0
    assert all(len(server.held(key)) == 1 for key in keys)
    assert statuses(uow_factory, keys) == {OrderStatus.SUBMITTED.value}


def test_an_answer_after_our_timeout_is_adopted_on_the_retry(
    server: ErpRestServer, uows: tuple[str, object]
) -> None:
    url, uow_factory = uows
    keys = approved_orders(make_engine(url))
    server.answer_late(1.5)  # commits, then answers after the client gave up
    erp = RestErp(server.base_url, read_timeout=0.3)
    outcome = submit_approved(uow_factory, erp, ROBOT, calls=calls())  # type: ignore[arg-type]
    assert not set(keys) & set(outcome.failed)
    assert all(len(server.held(key)) == 1 for key in keys)
    assert set(keys) <= set(outcome.already_in_erp)  # each adopted on the retry
    assert statuses(uow_factory, keys) == {OrderStatus.SUBMITTED.value}


@pytest.mark.slow  # two submit processes
@pytest.mark.postgres
def test_two_submissions_at_once_send_each_order_once(
    server: ErpRestServer, postgres_url: str, tmp_path: Path
) -> None:
    keys = approved_orders(make_engine(postgres_url))
    server.answer_late(0.1)  # each create takes a while: the two processes overlap
    first = run_submit(postgres_url, tmp_path, rest_env(server))
    second = run_submit(postgres_url, tmp_path, rest_env(server))
    assert (finish(first), finish(second)) == (0, 0)
    assert all(len(server.held(key)) == 1 for key in keys)
    with UnitOfWork(session_factory(make_engine(postgres_url))) as uow:
        assert set(uow.orders.statuses(keys).values()) == {OrderStatus.SUBMITTED.value}


def test_an_erp_down_stops_being_called_and_the_next_run_sends_everything(
    server: ErpRestServer, uows: tuple[str, object]
) -> None:
    url, uow_factory = uows
    keys = approved_orders(make_engine(url))
    server.down()
    erp = RestErp(server.base_url)
    tried = calls(attempts=2, breaker=2)
    first = submit_approved(uow_factory, erp, ROBOT, calls=tried)  # type: ignore[arg-type]
    assert set(keys) <= set(first.failed)
    assert len(set(keys) & set(first.deferred)) >= len(keys) - 1  # the circuit opened
    # the deferred ones were not touched: still approved, waiting for the next run
    with uow_factory() as uow:  # type: ignore[operator]
        left = uow.orders.statuses(first.deferred)
    assert set(left.values()) <= {OrderStatus.AUTO_APPROVED.value, OrderStatus.FAILED.value}
    server.up()  # the same port, back
    second = submit_approved(uow_factory, erp, ROBOT, calls=calls())  # type: ignore[arg-type]
    assert not set(keys) & set(second.failed)
    assert all(len(server.held(key)) == 1 for key in keys)
    assert statuses(uow_factory, keys) == {OrderStatus.SUBMITTED.value}


def test_a_503_storm_opens_the_circuit_after_a_few_calls(
    server: ErpRestServer, uows: tuple[str, object]
) -> None:
    url, uow_factory = uows
    keys = approved_orders(make_engine(url))
    server.fail_next(1000, 503)
    tried = calls(attempts=3, breaker=4)
    outcome = submit_approved(uow_factory, RestErp(server.base_url), ROBOT, calls=tried)  # type: ignore[arg-type]
    assert len(server.requests) == 4  # then the run stopped calling
    assert set(keys) <= set(outcome.failed)


def test_a_refused_order_fails_with_the_erps_message_and_the_others_go_on(
    server: ErpRestServer, uows: tuple[str, object]
) -> None:
    url, uow_factory = uows
    refused, *others = approved_orders(make_engine(url))
    server.reject(refused, "supplier S1 is blocked for purchasing")
    erp = RestErp(server.base_url)
    outcome = submit_approved(uow_factory, erp, ROBOT, calls=calls())  # type: ignore[arg-type]
    assert "supplier S1 is blocked" in outcome.failed[refused]
    assert refused in outcome.rejected
    assert [m for m, k in server.requests if k == refused].count("POST") == 1  # not retried
    assert all(len(server.held(key)) == 1 for key in others)
    assert statuses(uow_factory, others) == {OrderStatus.SUBMITTED.value}
    with uow_factory() as uow:  # type: ignore[operator]
        assert uow.orders.statuses([refused])[refused] == OrderStatus.FAILED.value
        alerted = {s.po_key: s for s in uow.orders.failing_submissions(min_attempts=99)}
    assert alerted[refused].status == "rejected"  # alerted at once, not after 5 tries


@pytest.mark.slow  # fault injection: a submit process killed, then run again
@pytest.mark.parametrize("kill_at", ["fsync_part", "part_written", "ledger_writing", "renamed"])
def test_a_kill_while_dropping_a_csv_file_shows_no_half_file(
    sqlite_url: str, tmp_path: Path, kill_at: str
) -> None:
    keys = approved_orders(make_engine(sqlite_url))
    drop = tmp_path / "erp-drop"
    env = {"REPLENISH_ERP__DROP_DIR": str(drop), "REPLENISH_ERP__FILE_FORMAT": "csv"}
    assert finish(run_submit(sqlite_url, tmp_path, env, kill_at)) == -9
    for visible in (p for p in drop.iterdir() if not p.name.startswith(".")):
        rows = list(csv.DictReader(visible.open(encoding="utf-8")))
        assert [row["sku"] for row in rows] == ["A1"]  # whole: header and its one line
    assert finish(run_submit(sqlite_url, tmp_path, env)) == 0
    sent = sorted(p.stem for p in drop.glob("*.csv"))
    assert set(keys) <= set(sent)
    assert not list(drop.glob(".*"))
