"""Storage on both databases: migrations, the order life cycle, audit and exactly-once claims."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from domain.lifecycle import InvalidTransition, OrderStatus
from storage.database import migrate, session_factory
from storage.orders import Actor, StateConflict
from storage.unit_of_work import UnitOfWork

ROBOT = Actor(name="test", channel="pytest")
TABLES = {
    "runs",
    "input_files",
    "row_dispositions",
    "forecasts",
    "purchase_orders",
    "order_lines",
    "review_flags",
    "decisions",
    "submissions",
    "notifications",
    "mail_queue",
    "audit_log",
}


def new_run(uow: UnitOfWork) -> str:
    run_id = uuid.uuid4().hex
    uow.runs.start(run_id, date(2026, 11, 25), "/data", started_at=_now(), flow_run_id=None)
    return run_id


def _now() -> datetime:
    from storage.orders import utcnow

    return utcnow()


def propose(uow: UnitOfWork, run_id: str, key: str | None = None) -> str:
    key = key or f"RPL-20261125-SUP-{uuid.uuid4().hex[:8].upper()}-DC"
    uow.orders.add_proposal(
        run_id,
        {
            "po_key": key,
            "supplier_id": "SUP-01",
            "location": "DC-NORTH",
            "order_date": date(2026, 11, 25),
            "expected_delivery": date(2026, 12, 5),
            "currency": "EUR",
            "value": Decimal("1234.50"),
        },
        [
            {
                "sku": "SKU-1",
                "location": "DC-NORTH",
                "proposed_quantity": Decimal("24"),
                "unit_cost": Decimal("51.4375"),
                "line_value": Decimal("1234.50"),
                "explanation": "because",
                "details": {"target": 30.5},
            }
        ],
        [
            {
                "sku": "SKU-1",
                "location": "DC-NORTH",
                "code": "NEW_ITEM",
                "severity": "warning",
                "message": "New item",
                "money_at_stake": Decimal("1234.50"),
            }
        ],
        ROBOT,
    )
    return key


def test_migrations_create_every_table_and_are_idempotent(engine: Engine) -> None:
    migrate(engine)  # a second upgrade on a current schema is a no-op
    assert set(inspect(engine).get_table_names()) >= TABLES


def test_proposal_round_trips_money_exactly(engine: Engine) -> None:
    sessions = session_factory(engine)
    with UnitOfWork(sessions) as uow:
        key = propose(uow, new_run(uow))
        uow.commit()
    with UnitOfWork(sessions) as uow:
        po = uow.orders.get(key)
        assert po is not None
        assert po.status == "proposed"
        assert po.value == Decimal("1234.50")
        assert po.lines[0].unit_cost == Decimal("51.4375")
        assert po.lines[0].details == {"target": 30.5}
        assert [f.code for f in po.flags] == ["NEW_ITEM"]


def test_uncommitted_work_is_rolled_back(engine: Engine) -> None:
    sessions = session_factory(engine)
    with UnitOfWork(sessions) as uow:
        key = propose(uow, new_run(uow))
        # no commit
    with UnitOfWork(sessions) as uow:
        assert uow.orders.get(key) is None


def test_transition_is_audited_and_refuses_a_second_decision(engine: Engine) -> None:
    sessions = session_factory(engine)
    with UnitOfWork(sessions) as uow:
        key = propose(uow, new_run(uow))
        uow.orders.transition(key, OrderStatus.PENDING_REVIEW, ROBOT, reason="NEW_ITEM")
        uow.orders.transition(key, OrderStatus.APPROVED, Actor("ann@example.com", "review-page"))
        uow.commit()
    with UnitOfWork(sessions) as uow:
        with pytest.raises(InvalidTransition, match="approved cannot become rejected"):
            uow.orders.transition(
                key, OrderStatus.REJECTED, Actor("bob@example.com", "review-page")
            )
        trail = uow.orders.audit_trail(key)
    assert [(r.action, r.from_state, r.to_state) for r in trail] == [
        ("propose", None, "proposed"),
        ("transition", "proposed", "pending_review"),
        ("transition", "pending_review", "approved"),
    ]
    assert trail[1].reason == "NEW_ITEM"
    assert trail[2].actor == "ann@example.com"
    assert trail[2].channel == "review-page"


def test_stale_state_loses_the_race(engine: Engine) -> None:
    sessions = session_factory(engine)
    with UnitOfWork(sessions) as uow:
        key = propose(uow, new_run(uow))
        uow.orders.transition(key, OrderStatus.PENDING_REVIEW, ROBOT)
        uow.commit()
    # Two approvers read "pending_review"; the first commits, the second must lose.
    first, second = UnitOfWork(sessions), UnitOfWork(sessions)
    with first, second:
        first.orders.transition(key, OrderStatus.APPROVED, Actor("ann", "review-page"))
        first.commit()
        with pytest.raises((StateConflict, InvalidTransition)):
            second.orders.transition(key, OrderStatus.REJECTED, Actor("bob", "review-page"))
    with UnitOfWork(sessions) as uow:
        po = uow.orders.get(key)
        assert po is not None
        assert po.status == "approved"


def test_audit_log_is_append_only_in_the_database(engine: Engine) -> None:
    sessions = session_factory(engine)
    with UnitOfWork(sessions) as uow:
        key = propose(uow, new_run(uow))
        uow.commit()
    for statement in (
        "UPDATE audit_log SET actor = 'mallory' WHERE entity_key = :key",
        "DELETE FROM audit_log WHERE entity_key = :key",
    ):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement), {"key": key})
    with UnitOfWork(sessions) as uow:
        assert [r.actor for r in uow.orders.audit_trail(key)] == ["test"]


def test_a_submission_key_can_be_claimed_only_once(engine: Engine) -> None:
    sessions = session_factory(engine)
    key = f"RPL-TEST-{uuid.uuid4().hex[:10]}"
    with UnitOfWork(sessions) as uow:
        claim = uow.orders.claim_submission(key, "file_drop")
        uow.orders.record_submission(claim, external_ref="erp-1", error=None)
        uow.commit()
    with UnitOfWork(sessions) as uow:
        again = uow.orders.claim_submission(key, "file_drop")
        assert again.status == "submitted"
        assert again.external_ref == "erp-1"
        assert again.attempts == 1
    with engine.connect() as conn:
        count = conn.execute(
            text("SELECT count(*) FROM submissions WHERE po_key = :key"), {"key": key}
        ).scalar_one()
    assert count == 1


def test_quarantine_trend_is_a_share_per_file_per_night(engine: Engine) -> None:
    sessions = session_factory(engine)
    with UnitOfWork(sessions) as uow:
        run_id = new_run(uow)
        file = f"demand_{uuid.uuid4().hex[:6]}.csv"
        uow.runs.add_input_files(
            run_id,
            [
                {
                    "kind": "demand",
                    "file": file,
                    "read": 200,
                    "accepted": 150,
                    "repaired": 20,
                    "quarantined": 30,
                }
            ],
        )
        uow.commit()
    with UnitOfWork(sessions) as uow:
        trend = {(f, d): share for d, f, share in uow.runs.quarantine_trend()}
    assert trend[(file, date(2026, 11, 25))] == pytest.approx(0.15)
