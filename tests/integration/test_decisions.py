"""Decisions on flagged orders: once, by the right number of different people, audited.

Runs on SQLite and PostgreSQL; the thread races run on PostgreSQL only, where row locks
and concurrent writers are real (SQLite lets one writer in at a time, so a race there
proves nothing).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from order_factory import pending_order, uow_factory
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from domain.lifecycle import OrderStatus
from services.decisions import (
    AlreadyDecided,
    DecisionOutcome,
    InvalidDecision,
    NotAnAdministrator,
    NotYourDecision,
    Outcome,
    decide,
)
from storage.database import make_engine
from storage.orders import Actor
from storage.unit_of_work import UnitOfWork

ANN = Actor("ann@example.com", "review-page")
ADMINS = ("it.admin@example.com",)
BOB = Actor("bob@example.com", "review-page")


@pytest.fixture
def uows(engine: Engine) -> Callable[[], UnitOfWork]:
    return uow_factory(engine)


def transitions(uows: Callable[[], UnitOfWork], key: str) -> list[tuple[str, str | None, str]]:
    with uows() as uow:
        return [
            (r.action, r.to_state, r.actor)
            for r in uow.orders.audit_trail(key)
            if r.action in {"transition", "approval"} and r.to_state != "pending_review"
        ]


def decisions(uows: Callable[[], UnitOfWork], key: str) -> list[tuple[str, str]]:
    with uows() as uow:
        po = uow.orders.get(key)
        assert po is not None
        return [(d.decided_by, d.outcome) for d in uow.orders.decisions_on(po.id)]


def test_approval_moves_the_order_records_the_decision_and_audits_it(
    uows: Callable[[], UnitOfWork],
) -> None:
    key = pending_order(uows)
    result = decide(uows, key, "approve", ANN, comment="fine")
    assert result.status is OrderStatus.APPROVED
    assert result.final
    assert (result.approvals, result.required_approvals) == (1, 1)
    assert decisions(uows, key) == [("ann@example.com", "approved")]
    with uows() as uow:
        trail = uow.orders.audit_trail(key)
    last = trail[-1]
    assert (last.from_state, last.to_state, last.actor, last.channel, last.reason) == (
        "pending_review",
        "approved",
        "ann@example.com",
        "review-page",
        "fine",
    )


def test_changed_quantities_are_kept_beside_the_proposal(uows: Callable[[], UnitOfWork]) -> None:
    key = pending_order(uows)
    result = decide(
        uows, key, "approve", ANN, quantities={"SKU-1": Decimal("12"), "SKU-2": Decimal(10)}
    )
    assert result.changed_quantities == {"SKU-1": Decimal("12")}
    with uows() as uow:
        po = uow.orders.get(key)
        assert po is not None
        lines = {ln.sku: (ln.proposed_quantity, ln.approved_quantity) for ln in po.lines}
        audit = uow.orders.audit_trail(key)[-1]
    assert lines == {"SKU-1": (Decimal("24"), Decimal("12")), "SKU-2": (Decimal("10"), None)}
    assert audit.details is not None
    assert audit.details["quantities"] == {
        "SKU-1": {"proposed": "24.000", "before": "24.000", "approved": "12"}
    }


@pytest.mark.parametrize(
    ("quantities", "message"),
    [({"SKU-9": Decimal(1)}, "no line for SKU-9"), ({"SKU-1": Decimal(-1)}, "must be a number")],
)
def test_a_malformed_decision_changes_nothing(
    uows: Callable[[], UnitOfWork], quantities: dict[str, Decimal], message: str
) -> None:
    key = pending_order(uows)
    with pytest.raises(InvalidDecision, match=message):
        decide(uows, key, "approve", ANN, quantities=quantities)
    assert decisions(uows, key) == []
    with uows() as uow:
        po = uow.orders.get(key)
        assert po is not None
        assert po.status == "pending_review"


def test_a_second_click_is_refused_naming_who_decided_what_and_when(
    uows: Callable[[], UnitOfWork],
) -> None:
    key = pending_order(uows)
    decide(uows, key, "reject", ANN, comment="too much")
    with pytest.raises(AlreadyDecided, match=r"already rejected by ann@example.com on .* UTC") as e:
        decide(uows, key, "approve", BOB)
    assert (e.value.decided_by, e.value.outcome, e.value.status) == (
        "ann@example.com",
        "rejected",
        "rejected",
    )
    assert decisions(uows, key) == [("ann@example.com", "rejected")]
    assert transitions(uows, key) == [("transition", "rejected", "ann@example.com")]


def test_only_the_people_the_order_was_routed_to_may_decide(
    uows: Callable[[], UnitOfWork],
) -> None:
    key = pending_order(uows)  # approver ann, deputy bob
    cid = Actor("cid@example.com", "review-page")
    with pytest.raises(NotYourDecision, match=r"waits for ann@example\.com, bob@example\.com") as e:
        decide(uows, key, "approve", cid)
    assert e.value.allowed == ["ann@example.com", "bob@example.com"]
    assert decisions(uows, key) == []  # nothing recorded, the order still waits
    assert transitions(uows, key) == []
    # the deputy may; so may a listed administrator in their place, which the audit says
    admin = Actor("IT.Admin@example.com", "cli")
    with pytest.raises(NotAnAdministrator, match="not an administrator"):
        decide(uows, key, "reject", cid, in_place_of_approver=True, administrators=ADMINS)
    assert decisions(uows, key) == []
    result = decide(
        uows, key, "reject", admin, comment="supplier closed", in_place_of_approver=True,
        administrators=ADMINS,
    )  # fmt: skip
    assert result.status is OrderStatus.REJECTED
    with uows() as uow:
        audit = uow.orders.audit_trail(key)
    assert audit[-1].details is not None
    assert audit[-1].details["in_place_of"] == ["ann@example.com", "bob@example.com"]


def test_two_approvals_need_two_different_people(uows: Callable[[], UnitOfWork]) -> None:
    key = pending_order(uows, required_approvals=2)
    first = decide(uows, key, "approve", ANN, quantities={"SKU-2": Decimal("5")})
    assert (first.status, first.approvals, first.required_approvals) == (
        OrderStatus.PENDING_REVIEW,
        1,
        2,
    )
    with pytest.raises(AlreadyDecided, match=r"already approved by ann@example\.com"):
        decide(uows, key, "approve", ANN)
    second = decide(uows, key, "approve", BOB)
    assert (second.status, second.approvals) == (OrderStatus.APPROVED, 2)
    assert decisions(uows, key) == [
        ("ann@example.com", "approved"),
        ("bob@example.com", "approved"),
    ]
    assert transitions(uows, key) == [
        ("approval", None, "ann@example.com"),
        ("transition", "approved", "bob@example.com"),
    ]
    with uows() as uow:
        po = uow.orders.get(key)
        assert po is not None
        assert {ln.sku: ln.approved_quantity for ln in po.lines}["SKU-2"] == Decimal("5")


def test_a_rejection_by_the_second_approver_ends_it(uows: Callable[[], UnitOfWork]) -> None:
    key = pending_order(uows, required_approvals=2)
    decide(uows, key, "approve", ANN)
    rejected = decide(uows, key, "reject", BOB)
    assert (rejected.status, rejected.approvals, rejected.final) == (OrderStatus.REJECTED, 1, True)
    with pytest.raises(AlreadyDecided, match=r"already rejected by bob@example\.com"):
        decide(uows, key, "approve", Actor("cid@example.com", "review-page"))


def test_the_database_refuses_one_person_deciding_an_order_twice(
    engine: Engine, uows: Callable[[], UnitOfWork]
) -> None:
    key = pending_order(uows, required_approvals=2)
    decide(uows, key, "approve", ANN)
    insert = text(
        "INSERT INTO decisions (purchase_order_id, outcome, decided_by, channel, comment,"
        " decided_at) SELECT id, 'approved', 'ann@example.com', 'sql', '', :at"
        " FROM purchase_orders WHERE po_key = :key"
    )
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert, {"key": key, "at": datetime.now(UTC)})


# --- races on PostgreSQL ---------------------------------------------------------------


@pytest.fixture
def pg_uows(postgres_url: str) -> Iterator[Callable[[], UnitOfWork]]:
    engine = make_engine(postgres_url, pool_size=25, max_overflow=5)
    yield uow_factory(engine)
    engine.dispose()


def race(
    uows: Callable[[], UnitOfWork], key: str, deciders: list[tuple[Actor, Outcome]]
) -> tuple[list[DecisionOutcome], list[AlreadyDecided]]:
    """Start every decider at the same instant (a barrier) and collect what each got."""
    barrier = threading.Barrier(len(deciders))
    won: list[DecisionOutcome] = []
    refused: list[AlreadyDecided] = []
    other: list[BaseException] = []
    lock = threading.Lock()

    def run(actor: Actor, outcome: Outcome) -> None:
        barrier.wait()
        try:
            result = decide(uows, key, outcome, actor)
        except AlreadyDecided as error:
            with lock:
                refused.append(error)
        except BaseException as error:
            with lock:
                other.append(error)
        else:
            with lock:
                won.append(result)

    threads = [threading.Thread(target=run, args=decider) for decider in deciders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not other, other
    return won, refused


@pytest.mark.postgres
def test_twenty_concurrent_deciders_exactly_one_wins(pg_uows: Callable[[], UnitOfWork]) -> None:
    key = pending_order(pg_uows)
    # The approver and the deputy, each clicking approve or reject ten times at once.
    deciders: list[tuple[Actor, Outcome]] = [
        (ANN if i % 2 else BOB, "approve" if i % 4 < 2 else "reject") for i in range(20)
    ]
    won, refused = race(pg_uows, key, deciders)
    assert len(won) == 1
    assert len(refused) == 19
    winner = won[0]
    assert all(e.decided_by == winner.decided_by for e in refused)
    assert decisions(pg_uows, key) == [(winner.decided_by, winner.outcome)]
    assert transitions(pg_uows, key) == [("transition", winner.status.value, winner.decided_by)]


@pytest.mark.postgres
def test_one_approver_double_clicking_decides_once(pg_uows: Callable[[], UnitOfWork]) -> None:
    key = pending_order(pg_uows)
    won, refused = race(pg_uows, key, [(ANN, "approve")] * 5)
    assert (len(won), len(refused)) == (1, 4)
    assert decisions(pg_uows, key) == [("ann@example.com", "approved")]
    assert transitions(pg_uows, key) == [("transition", "approved", "ann@example.com")]


@pytest.mark.postgres
def test_two_approvers_at_once_on_a_two_approval_order_both_count(
    pg_uows: Callable[[], UnitOfWork],
) -> None:
    key = pending_order(pg_uows, required_approvals=2)
    won, refused = race(pg_uows, key, [(ANN, "approve"), (BOB, "approve")])
    assert (len(won), len(refused)) == (2, 0)
    assert sorted(r.status.value for r in won) == ["approved", "pending_review"]
    assert sorted(decisions(pg_uows, key)) == [
        ("ann@example.com", "approved"),
        ("bob@example.com", "approved"),
    ]
    assert [t[:2] for t in transitions(pg_uows, key)] == [
        ("approval", None),
        ("transition", "approved"),
    ]


def test_concurrent_deciders_on_sqlite_also_get_already_decided(sqlite_url: str) -> None:
    """SQLite has one writer at a time; the loser must still see a clear refusal."""
    engine = make_engine(sqlite_url)
    try:
        uows = uow_factory(engine)
        key = pending_order(uows)
        deciders: list[tuple[Actor, Outcome]] = [
            (ANN if i % 2 else BOB, "approve") for i in range(8)
        ]
        won, refused = race(uows, key, deciders)
        assert (len(won), len(refused)) == (1, 7)
        assert decisions(uows, key) == [(won[0].decided_by, "approved")]
    finally:
        engine.dispose()


def test_addresses_compare_case_insensitively(uows: Callable[[], UnitOfWork]) -> None:
    key = pending_order(uows, required_approvals=2)
    first = decide(uows, key, "approve", Actor("Ann@Example.COM", "review-page"))
    assert (first.decided_by, first.approvals) == ("ann@example.com", 1)
    # the same person in other letters is not a second approver
    with pytest.raises(AlreadyDecided, match=r"already approved by ann@example\.com"):
        decide(uows, key, "approve", Actor("ANN@example.com", "cli"))
    assert decisions(uows, key) == [("ann@example.com", "approved")]
    second = decide(uows, key, "approve", Actor("BOB@example.com", "cli"))
    assert (second.status, second.approvals) == (OrderStatus.APPROVED, 2)


def test_a_quantity_change_after_a_first_approval_restarts_the_approval(
    uows: Callable[[], UnitOfWork],
) -> None:
    key = pending_order(uows, required_approvals=2)
    decide(uows, key, "approve", ANN, quantities={"SKU-1": Decimal("30")})
    # bob confirms the quantities ann approved: no change, the order is approved
    # (checked on a twin order below); here bob changes one, so ann must look again
    second = decide(uows, key, "approve", BOB, quantities={"SKU-1": Decimal("18")})
    assert second.restarted
    assert (second.status, second.approvals) == (OrderStatus.PENDING_REVIEW, 1)
    assert decisions(uows, key) == [("bob@example.com", "approved")]
    with uows() as uow:
        po = uow.orders.get(key)
        assert po is not None
        assert po.review_notified_at is None  # the next run e-mails ann again
        assert {ln.sku: ln.approved_quantity for ln in po.lines}["SKU-1"] == Decimal("18")
        restart = [r for r in uow.orders.audit_trail(key) if r.action == "approval_restarted"]
    assert restart[0].details is not None
    assert restart[0].details["withdrawn"][0]["by"] == "ann@example.com"
    again = decide(uows, key, "approve", ANN)
    assert (again.status, again.approvals) == (OrderStatus.APPROVED, 2)

    twin = pending_order(uows, required_approvals=2)
    decide(uows, twin, "approve", ANN, quantities={"SKU-1": Decimal("30")})
    same = decide(uows, twin, "approve", BOB, quantities={"SKU-1": Decimal("30")})
    assert not same.restarted
    assert same.status is OrderStatus.APPROVED


def test_setting_every_line_to_zero_is_refused(uows: Callable[[], UnitOfWork]) -> None:
    key = pending_order(uows)
    with pytest.raises(InvalidDecision, match="reject the order instead"):
        decide(uows, key, "approve", ANN, quantities={"SKU-1": Decimal("0"), "SKU-2": Decimal("0")})
    assert decisions(uows, key) == []
