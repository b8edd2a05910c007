"""Propose tonight's orders and pick who is told: the services, over an in-memory unit of
work (the Prefect flow and the real databases are tested in tests/integration)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pandas as pd
import pytest
from fakes import FakeUnitOfWork, Store

from domain.actors import Actor
from domain.nightly import ROUTING_COLUMNS, Plan, Proposed, Review
from services.notifications import warning_notices
from services.proposals import AUTO_APPROVAL_COMMENT, propose_orders

NIGHT = Actor("nightly-run", "prefect")
NOW = datetime(2026, 11, 30, 1, 30, tzinfo=UTC)


def order(key: str, value: float) -> dict[str, object]:
    return {"po_key": key, "supplier_id": "S1", "supplier_name": "Acme", "location": "L1",
            "order_date": date(2026, 11, 30), "expected_delivery": date(2026, 12, 7),
            "currency": "EUR", "value": value}  # fmt: skip


def line(key: str, sku: str, qty: float, cost: float) -> dict[str, object]:
    return {"po_key": key, "sku": sku, "location": "L1", "order_qty": qty, "unit_cost": cost,
            "line_value": qty * cost, "explanation": f"{sku} explained"}  # fmt: skip


def flag(key: str, code: str, sku: str | None = None) -> dict[str, object]:
    return {"po_key": key, "sku": sku, "location": "L1", "code": code, "severity": "hold",
            "message": f"{code} on {key}", "money_at_stake": 10.0}  # fmt: skip


def review() -> Review:
    """Three orders: A passes, B waits for review (two flags), C has nothing to order."""
    orders = pd.DataFrame([order("A", 24.0), order("B", 500.0), order("C", 0.0)])
    lines = pd.DataFrame([line("A", "a1", 12, 2.0), line("B", "b1", 100, 5.0),
                          line("C", "c1", 0, 1.0)])  # fmt: skip
    flags = pd.DataFrame([flag("B", "NEW_ITEM", "b1"), flag("B", "DATA_QUALITY", "b1")])
    decisions = pd.Series({"A": "auto_approved", "B": "pending_review", "C": "auto_approved"})
    routing = pd.DataFrame(
        [["buyer@x", None, "deputy@x", 1, "standard", 6]] * 3,
        columns=ROUTING_COLUMNS, index=pd.Index(["A", "B", "C"], name="po_key"),
    )  # fmt: skip
    return Review(Plan(lines, orders), flags, decisions, routing["approver"], routing)


def test_each_decision_becomes_the_orders_state_with_its_reason_and_routing() -> None:
    store = Store()
    outcome = propose_orders(FakeUnitOfWork(store), "run-1", review(), NIGHT, now=NOW)

    assert outcome.created == ["A", "B", "C"]
    assert {k: po.status for k, po in store.orders.items()} == {
        "A": "auto_approved", "B": "pending_review", "C": "auto_approved"
    }  # fmt: skip
    # the rules' verdict is recorded like a person's; a waiting order has none yet
    assert [(d["po_key"], d["outcome"], d["comment"]) for d in store.decisions] == [
        ("A", "auto_approved", AUTO_APPROVAL_COMMENT),
        ("C", "auto_approved", AUTO_APPROVAL_COMMENT),
    ]
    reasons = {a["key"]: a["reason"] for a in store.audit if a["action"] == "transition"}
    assert reasons == {"A": "no flags", "B": "DATA_QUALITY, NEW_ITEM", "C": "no flags"}
    waiting = store.orders["B"]
    assert (waiting.approver, waiting.deputy, waiting.routing_tier) == ("buyer@x", "deputy@x",
                                                                        "standard")  # fmt: skip
    assert waiting.decision_due_at == NOW + timedelta(hours=6)  # fixed now, never recomputed
    assert store.orders["A"].decision_due_at is None  # nobody is asked: no deadline
    # only lines with something to order are stored
    assert [ln.sku for ln in store.orders["C"].lines] == []
    assert [(ln.sku, ln.proposed_quantity) for ln in store.orders["B"].lines] == [
        ("b1", Decimal("100.000"))
    ]


def test_a_key_already_stored_is_left_alone() -> None:
    store = Store()
    uow = FakeUnitOfWork(store)
    propose_orders(uow, "run-1", review(), NIGHT, now=NOW)
    store.orders["A"].status = "submitted"  # sent to the ERP since
    again = propose_orders(uow, "run-2", review(), NIGHT, now=NOW + timedelta(hours=1))

    assert again.created == []
    assert again.already_known == {"A": "submitted", "B": "pending_review", "C": "auto_approved"}
    assert {po.run_id for po in store.orders.values()} == {"run-1"}
    assert len(store.decisions) == 2


def test_nothing_is_stored_when_a_decision_breaks_the_life_cycle() -> None:
    bad = review()
    bad.decisions["B"] = "approved"  # proposed -> approved skips the review: not allowed
    store = Store()
    with pytest.raises(ValueError, match="cannot become approved"):
        propose_orders(FakeUnitOfWork(store), "run-1", bad, NIGHT, now=NOW)
    assert store.orders == {}  # one transaction: A is not half stored either


def test_flagged_orders_sent_anyway_are_told_to_their_buyer_and_waiting_ones_are_not() -> None:
    tonight = review()
    # A carries a flag that only informs (a stock-out the order cannot prevent).
    flags = pd.concat([tonight.flags, pd.DataFrame([flag("A", "STOCKOUT_RISK", "a1")])])
    informed = Review(tonight.plan, flags, tonight.decisions, tonight.approvers, tonight.routing)

    notices = warning_notices(informed, Proposed(created=["A", "B", "C"]))

    assert notices == {"A": "buyer@x"}  # B waits (it gets the review e-mail); C has no flag
    assert warning_notices(informed, Proposed(created=["B", "C"])) == {}  # not tonight's
