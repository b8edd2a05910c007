"""In-memory stand-ins for the unit of work and the ERP port, for unit tests of services.

They keep the rules the real ones guarantee and a service relies on: a transition only
along the life cycle (`domain.lifecycle`), nothing visible before `commit()`, one claim
per key, and an ERP that never holds a key twice. The real ones are tested against
PostgreSQL and SQLite in tests/integration; these never stand in for them there.

The fakes subclass the real repositories and unit of work and hold the real (transient,
session-less) ORM objects, so mypy checks every faked method against the real signature:
a service typed for `UnitOfWork` takes the fake only while the two agree. A method the
fakes do not override reaches for `self.session`, which a fake never has: an
AttributeError names the method to fake next.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from domain.actors import Actor, utcnow
from domain.lifecycle import READY_TO_SUBMIT, OrderStatus, check_transition
from integrations.erp.base import (
    ErpCancellation,
    ErpOrder,
    ErpReceipt,
    ErpRejected,
    ErpUnavailable,
)
from storage.models import Decision, OrderLine, PurchaseOrder, ReviewFlag, Run, Submission
from storage.orders import OrderRepository
from storage.runs import RunRepository
from storage.unit_of_work import UnitOfWork


@dataclass
class Store:
    """What the fake database holds between units of work."""

    orders: dict[str, PurchaseOrder] = field(default_factory=dict)
    audit: list[dict[str, Any]] = field(default_factory=list)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    claims: dict[str, Submission] = field(default_factory=dict)
    runs: dict[str, Run] = field(default_factory=dict)
    rows: dict[str, list[Any]] = field(default_factory=dict)


class FakeOrders(OrderRepository):
    def __init__(self, store: Store) -> None:  # no session: see the module docstring
        self.store = store

    def statuses(self, po_keys: Iterable[str]) -> dict[str, str]:
        return {k: self.store.orders[k].status for k in po_keys if k in self.store.orders}

    def add_proposal(
        self, run_id: str, order: Mapping[str, Any], lines: Sequence[Mapping[str, Any]],
        flags: Sequence[Mapping[str, Any]], actor: Actor,
    ) -> PurchaseOrder:  # fmt: skip
        now = utcnow()
        po = PurchaseOrder(
            id=len(self.store.orders) + 1, run_id=run_id, status=OrderStatus.PROPOSED.value,
            created_at=now, updated_at=now, **order,
        )  # fmt: skip
        po.lines = [OrderLine(**line) for line in lines]
        po.flags = [ReviewFlag(**flag) for flag in flags]
        self.store.orders[po.po_key] = po
        self._trail(po.po_key, "propose", None, po.status, actor, "")
        return po

    def transition(
        self, po_key: str, target: OrderStatus, actor: Actor, reason: str = "",
        details: Mapping[str, Any] | None = None,
    ) -> OrderStatus:  # fmt: skip
        po = self.store.orders[po_key]
        source, destination = check_transition(po.status, target)
        po.status = destination.value
        self._trail(po_key, "transition", source.value, destination.value, actor, reason)
        return source

    def record_decision(
        self, po_key: str, outcome: str, actor: Actor, comment: str = ""
    ) -> Decision:
        self.store.decisions.append(
            {"po_key": po_key, "outcome": outcome, "by": actor.name, "comment": comment}
        )
        return Decision(
            purchase_order_id=self.store.orders[po_key].id, outcome=outcome,
            decided_by=actor.name, channel=actor.channel, comment=comment, decided_at=utcnow(),
        )  # fmt: skip

    def get(self, po_key: str) -> PurchaseOrder | None:
        return self.store.orders.get(po_key)

    def decisions_on(self, purchase_order_id: int) -> list[Decision]:
        return []  # the fake keeps decisions as dicts (`Store.decisions`), not rows

    def ready_to_submit(self) -> list[PurchaseOrder]:
        sendable = {s.value for s in READY_TO_SUBMIT} | {"submitting", "failed"}
        return [po for po in self.store.orders.values() if po.status in sendable]

    def lock(self, po_key: str) -> PurchaseOrder | None:
        return self.store.orders.get(po_key)

    def claim_submission(self, po_key: str, adapter: str) -> Submission:
        return self.store.claims.setdefault(
            po_key, Submission(po_key=po_key, adapter=adapter, status="claimed", attempts=0,
                               external_ref=None, error=None, claimed_at=utcnow())
        )  # fmt: skip

    def record_submission(
        self,
        submission: Submission,
        *,
        external_ref: str | None,
        error: str | None,
        rejected: bool = False,
    ) -> None:
        submission.attempts += 1
        submission.status = ("rejected" if rejected else "failed") if error else "submitted"
        submission.external_ref, submission.error = external_ref, error

    def _trail(self, key: str, action: str, old: str | None, new: str | None, actor: Actor,
               reason: str) -> None:  # fmt: skip
        self.store.audit.append({"key": key, "action": action, "from": old, "to": new,
                                 "by": actor.name, "reason": reason})  # fmt: skip


class FakeRuns(RunRepository):
    def __init__(self, store: Store) -> None:  # no session: see the module docstring
        self.store = store

    def start(self, run_id: str, as_of: date, source: str, started_at: datetime,
              flow_run_id: str | None, lease_until: datetime | None = None) -> Run:  # fmt: skip
        run = Run(
            id=run_id, as_of=as_of, source=source, status="running", message="",
            started_at=started_at, flow_run_id=flow_run_id, lease_until=lease_until,
        )  # fmt: skip
        self.store.runs[run_id] = run
        return run

    def finish(self, run_id: str, status: str, message: str, summary: Mapping[str, Any],
               finished_at: datetime) -> None:  # fmt: skip
        if run_id not in self.store.runs:
            raise KeyError(f"no run {run_id}")
        run = self.store.runs[run_id]
        run.status, run.message, run.summary = status, message, dict(summary)
        run.finished_at = finished_at

    def add_input_files(self, run_id: str, counts: Sequence[Mapping[str, Any]]) -> None:
        self.store.rows.setdefault("input_files", []).extend(counts)

    def add_dispositions(self, run_id: str, rows: Sequence[Mapping[str, Any]]) -> None:
        self.store.rows.setdefault("dispositions", []).extend(rows)

    def add_forecasts(self, run_id: str, rows: Sequence[Mapping[str, Any]]) -> None:
        self.store.rows.setdefault("forecasts", []).extend(rows)


class FakeUnitOfWork(UnitOfWork):
    """Works on a copy of the store; `commit()` publishes it, leaving the block without
    committing throws the copy away (as the real one rolls back)."""

    def __init__(self, store: Store) -> None:  # no sessionmaker: nothing reaches a database
        self._committed = store
        self.commits = 0

    def __call__(self) -> FakeUnitOfWork:  # the factory the services take
        return self

    def __enter__(self) -> FakeUnitOfWork:
        self._work = copy.deepcopy(self._committed)
        self.orders = FakeOrders(self._work)
        self.runs = FakeRuns(self._work)
        return self

    def __exit__(self, *exc: object) -> None:
        del self._work

    def commit(self) -> None:
        for name in vars(self._committed):
            setattr(self._committed, name, getattr(self._work, name))
        self.commits += 1

    def rollback(self) -> None:
        self._work = copy.deepcopy(self._committed)


class FakeErp:
    """Idempotent on po_key like a real adapter must be: a key is created once."""

    name = "fake-erp"

    def __init__(
        self, unavailable: set[str] | None = None, refused: set[str] | None = None
    ) -> None:
        self.held: dict[str, ErpOrder] = {}
        self.unavailable = unavailable or set()
        self.refused = refused or set()

    def find(self, po_key: str) -> ErpReceipt | None:
        if po_key in self.held:
            return ErpReceipt(po_key=po_key, external_ref=f"ERP-{po_key}", created=False)
        return None

    def submit(self, order: ErpOrder) -> ErpReceipt:
        if order.po_key in self.unavailable:
            raise ErpUnavailable(f"ERP down for {order.po_key}")
        if order.po_key in self.refused:
            raise ErpRejected(f"unknown supplier on {order.po_key}")
        created = order.po_key not in self.held
        self.held.setdefault(order.po_key, order)
        return ErpReceipt(po_key=order.po_key, external_ref=f"ERP-{order.po_key}", created=created)

    def cancel(self, order: ErpOrder, reason: str) -> ErpCancellation:
        if self.held.pop(order.po_key, None) is None:
            return ErpCancellation(po_key=order.po_key, outcome="not_held")
        return ErpCancellation(
            po_key=order.po_key, outcome="cancelled", external_ref=f"ERP-{order.po_key}"
        )


def stored_order(store: Store, key: str, status: str, lines: list[tuple[str, str, str | None, str]],
                 ) -> PurchaseOrder:  # fmt: skip
    """An order already in the fake store: lines as (sku, proposed, approved or None, unit cost)."""
    po = PurchaseOrder(
        id=len(store.orders) + 1, po_key=key, status=status, supplier_id="S1", location="L1",
        currency="EUR", order_date=date(2026, 11, 30), expected_delivery=date(2026, 12, 7),
        flags=[], value=Decimal("0"), created_at=utcnow(),
        lines=[OrderLine(sku=sku, proposed_quantity=Decimal(p),
                         approved_quantity=None if a is None else Decimal(a),
                         unit_cost=Decimal(c)) for sku, p, a, c in lines],
    )  # fmt: skip
    store.orders[key] = po
    return po
