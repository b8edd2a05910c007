"""A night to roll back, for the rollback tests of every adapter: a finished run whose
orders are in each state a rollback meets, two of them really sent to the ERP.

`sent`: auto-approved and submitted through the real submission service and adapter;
`unsent`: auto-approved, not sent yet; `waiting`: pending review (routed to ANN);
`approved`: approved by ANN, not sent yet; `rejected`: rejected by ANN.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from conftest import fresh_database_url
from order_factory import uow_factory

from domain.lifecycle import OrderStatus
from integrations.erp.base import ErpAdapter
from services.decisions import decide
from services.rollback import RollbackMailing, RollbackRequest
from services.submission import submit_approved
from storage.database import make_engine, migrate
from storage.orders import Actor
from storage.unit_of_work import UnitOfWork

NIGHT = Actor("nightly-run", "prefect")
ANN, ADMIN, OPERATOR = "ann@example.com", "it.admin@example.com", "ops@example.com"
ADMINS = ["IT.Admin@example.com"]
MAILING = RollbackMailing(sender="replenish@example.com", operator=OPERATOR,
                          default_buyer="buyer@example.com")  # fmt: skip
AS_OF = date(2026, 11, 30)
ROLES = ("sent_a", "sent_b", "unsent", "waiting", "approved", "rejected")


@dataclass
class Night:
    run_id: str
    keys: dict[str, str]

    def request(self, person: str = ADMIN, channel: str = "cli") -> RollbackRequest:
        return RollbackRequest(self.run_id, "the stock extract was a week old", person, channel)


@contextmanager
def fresh_database(kind: str, folder: Path) -> Iterator[Callable[[], UnitOfWork]]:
    """A migrated database of the test's own: the submission sends every approved order a
    database holds, so a shared one would send other tests' orders to this test's ERP."""
    with fresh_database_url(kind, folder) as url:
        engine = make_engine(url)
        migrate(engine)
        yield uow_factory(engine)
        engine.dispose()


def night_with_orders(
    uows: Callable[[], UnitOfWork],
    erp: ErpAdapter,
    *,
    supplier: str = "SUP-01",
    location: str = "DC-NORTH",
    skus: tuple[str, str] = ("SKU-1", "SKU-2"),
) -> Night:
    """The night's orders, two of them sent to `erp` (which must know the codes)."""
    tag = uuid.uuid4().hex[:8].upper()
    run_id = uuid.uuid4().hex
    keys = {role: f"RPL-{AS_OF:%Y%m%d}-{supplier}-{location}-{tag}-{n}" for n, role in
            enumerate(ROLES)}  # fmt: skip
    with uows() as uow:
        uow.runs.start(run_id, AS_OF, "/data/tonight", datetime.now(UTC), None)
        uow.commit()
    for role in ("sent_a", "sent_b"):
        _order(uows, run_id, keys[role], supplier, location, skus, OrderStatus.AUTO_APPROVED)
    sent = submit_approved(uows, erp, NIGHT)
    assert sorted(sent.submitted) == sorted([keys["sent_a"], keys["sent_b"]]), sent
    _order(uows, run_id, keys["unsent"], supplier, location, skus, OrderStatus.AUTO_APPROVED)
    for role in ("waiting", "approved", "rejected"):
        _order(uows, run_id, keys[role], supplier, location, skus, OrderStatus.PENDING_REVIEW)
    decide(uows, keys["approved"], "approve", Actor(ANN, "review-page"))
    decide(uows, keys["rejected"], "reject", Actor(ANN, "review-page"))
    with uows() as uow:
        uow.runs.finish(run_id, "succeeded", "completed", {}, datetime.now(UTC))
        uow.commit()
    return Night(run_id, keys)


def statuses(uows: Callable[[], UnitOfWork], night: Night) -> dict[str, str]:
    with uows() as uow:
        found = uow.orders.statuses(night.keys.values())
    return {role: found[key] for role, key in night.keys.items()}


def _order(
    uows: Callable[[], UnitOfWork],
    run_id: str,
    key: str,
    supplier: str,
    location: str,
    skus: tuple[str, str],
    status: OrderStatus,
) -> None:
    pending = status is OrderStatus.PENDING_REVIEW
    routing: dict[str, Any] = {
        "approver": ANN,
        "decision_due_at": datetime.now(UTC) + timedelta(hours=24),
        "review_notified_at": datetime.now(UTC),
    } if pending else {}  # fmt: skip
    with uows() as uow:
        uow.orders.add_proposal(
            run_id,
            {"po_key": key, "supplier_id": supplier, "location": location, "order_date": AS_OF,
             "expected_delivery": AS_OF + timedelta(days=7), "currency": "EUR",
             "value": Decimal("64.50"), **routing},
            [_line(skus[0], location, "12", "54.00"), _line(skus[1], location, "5", "10.50")],
            [], NIGHT,
        )  # fmt: skip
        uow.orders.transition(key, status, NIGHT, reason="test night")
        uow.commit()


def _line(sku: str, location: str, quantity: str, value: str) -> dict[str, Any]:
    return {"sku": sku, "location": location, "proposed_quantity": Decimal(quantity),
            "unit_cost": Decimal(value) / Decimal(quantity), "line_value": Decimal(value),
            "explanation": "order-up-to"}  # fmt: skip
