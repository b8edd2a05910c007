"""Pending orders for the decision and deadline tests, on either database."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine

from domain.lifecycle import OrderStatus
from storage.database import session_factory
from storage.orders import Actor
from storage.unit_of_work import UnitOfWork

NIGHT = Actor(name="nightly-run", channel="prefect")


def uow_factory(engine: Engine) -> Callable[[], UnitOfWork]:
    sessions = session_factory(engine)
    return lambda: UnitOfWork(sessions)


def pending_order(
    uow_factory: Callable[[], UnitOfWork], *, required_approvals: int = 1, **routing: Any
) -> str:
    """One order with two lines, waiting for a decision, routed as given."""
    key = f"RPL-20261125-SUP-{uuid.uuid4().hex[:10].upper()}-DC"
    with uow_factory() as uow:
        run_id = uuid.uuid4().hex
        uow.runs.start(run_id, date(2026, 11, 25), "/data", datetime.now(UTC), None)
        uow.orders.add_proposal(
            run_id,
            {
                "po_key": key,
                "supplier_id": "SUP-01",
                "location": "DC-NORTH",
                "order_date": date(2026, 11, 25),
                "expected_delivery": date(2026, 12, 5),
                "currency": "EUR",
                "value": Decimal("1500.00"),
                "approver": "ann@example.com",
                "deputy": "bob@example.com",
                "required_approvals": required_approvals,
                # Its e-mail went out already: a nightly run on the shared database must
                # not mail these fixtures to their (made-up) approvers.
                "review_notified_at": datetime.now(UTC),
                **routing,
            },
            _lines(Decimal(routing.get("value", "1500.00"))),
            [],
            NIGHT,
        )
        uow.orders.transition(key, OrderStatus.PENDING_REVIEW, NIGHT, reason="NEW_ITEM")
        uow.commit()
    return key


def _lines(value: Decimal) -> list[dict[str, Any]]:
    """Two lines worth the order's value (2/3 and 1/3 of it): money at stake is the value
    of the lines (services.money_at_stake), so they must add up to the order."""
    first = (value * 2 / 3).quantize(Decimal("0.01"))
    return [_line("SKU-1", "24", str(first)), _line("SKU-2", "10", str(value - first))]


def _line(sku: str, quantity: str, value: str) -> dict[str, Any]:
    return {
        "sku": sku,
        "location": "DC-NORTH",
        "proposed_quantity": Decimal(quantity),
        "unit_cost": Decimal(value) / Decimal(quantity),
        "line_value": Decimal(value),
        "explanation": "order-up-to",
    }
