"""Rolling a night back on a real Tryton server: a purchase Tryton has confirmed is too late
(refused with its state named), one still in quotation or draft is cancelled there, and a
second rollback leaves Tryton as it was."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rollback_night import ADMINS, MAILING, fresh_database, night_with_orders, statuses
from tryton_seed import ensure_master_data
from tryton_server import TrytonServer

from integrations.email.outbox import OutboxMailer
from integrations.erp.tryton import TrytonErp
from integrations.erp.tryton_rpc import TrytonRpc
from services.erp_approvals import sync_erp_approvals
from services.erp_calls import Backoff, CircuitBreaker, ErpCalls
from services.rollback import roll_back_night
from storage.unit_of_work import UnitOfWork

pytestmark = pytest.mark.tryton


@pytest.fixture
def uows(tmp_path: Path) -> Iterator[Callable[[], UnitOfWork]]:
    with fresh_database("sqlite", tmp_path) as factory:
        yield factory


def codes(tryton: TrytonServer) -> dict[str, object]:
    """A supplier, two products and a warehouse under fresh codes, so tests never collide."""
    tag = uuid.uuid4().hex[:6].upper()
    supplier, location, skus = f"S{tag}", f"L{tag}", (f"A{tag}", f"B{tag}")
    ensure_master_data(tryton.admin(), {supplier}, set(skus), {location})
    return {"supplier": supplier, "location": location, "skus": skus}


def states(rpc: TrytonRpc, key: str) -> list[str]:
    rows = rpc.model("purchase.purchase", "search_read", [("reference", "=", key)],
                     0, None, None, ["state"])  # fmt: skip
    return [row["state"] for row in rows]


def one_try() -> ErpCalls:
    return ErpCalls(Backoff(attempts=1), CircuitBreaker(10**9, 0.0))


def test_confirmed_purchases_are_too_late_and_unsent_orders_are_withdrawn(
    tryton: TrytonServer, uows: Callable[[], UnitOfWork], tmp_path: Path
) -> None:
    erp = TrytonErp(tryton.product())
    night = night_with_orders(uows, erp, **codes(tryton))  # type: ignore[arg-type]
    admin = tryton.admin()
    assert states(admin, night.keys["sent_a"]) == ["processing"]

    report = roll_back_night(uows, erp, OutboxMailer(tmp_path / "outbox"), night.request(),
                             administrators=ADMINS, mailing=MAILING, calls=one_try())  # fmt: skip

    assert report.counts() == {"withdrawn": 3, "cancelled": 0, "too_late": 2, "failed": 0,
                               "unchanged": 1, "pending": 0}  # fmt: skip
    too_late = {o.po_key: o.detail for o in report.orders if o.outcome == "too_late"}
    for role in ("sent_a", "sent_b"):
        assert "is processing (confirmed with the supplier)" in too_late[night.keys[role]]
        assert "only in draft or quotation" in too_late[night.keys[role]]
        assert states(admin, night.keys[role]) == ["processing"]  # Tryton keeps it
    assert statuses(uows, night)["sent_a"] == "submitted"
    for role in ("unsent", "waiting", "approved"):  # never reached Tryton: nothing there
        assert states(admin, night.keys[role]) == []


def test_quotations_handed_to_trytons_approvers_are_cancelled_there_once(
    tryton: TrytonServer, uows: Callable[[], UnitOfWork], tmp_path: Path
) -> None:
    erp = TrytonErp(tryton.product(), approval="erp")
    night = night_with_orders(uows, TrytonErp(tryton.product()), **codes(tryton))  # type: ignore[arg-type]
    handed = sync_erp_approvals(uows, erp)  # the waiting order becomes a quotation there
    waiting = night.keys["waiting"]
    assert handed.handed_over == [waiting]
    admin = tryton.admin()
    assert states(admin, waiting) == ["quotation"]
    # A purchase left in draft by a crash before quoting: the key is there too.
    [purchase] = admin.model("purchase.purchase", "search", [("reference", "=", waiting)],
                             0, 1, None)  # fmt: skip
    admin.model("purchase.purchase", "draft", [purchase])
    assert states(admin, waiting) == ["draft"]

    report = roll_back_night(uows, erp, OutboxMailer(tmp_path / "outbox"), night.request(),
                             administrators=ADMINS, mailing=MAILING, calls=one_try())  # fmt: skip

    outcomes = {o.po_key: o.outcome.value for o in report.orders}
    assert outcomes[waiting] == "cancelled"
    assert states(admin, waiting) == ["cancelled"]
    # The approved and unsent orders never reached Tryton: asked, it holds nothing.
    assert outcomes[night.keys["approved"]] == outcomes[night.keys["unsent"]] == "withdrawn"
    assert statuses(uows, night)["waiting"] == "cancelled"

    again = roll_back_night(uows, erp, OutboxMailer(tmp_path / "outbox"), night.request(),
                            administrators=ADMINS, mailing=MAILING, calls=one_try())  # fmt: skip
    assert again.already_rolled_back
    assert states(admin, waiting) == ["cancelled"]
    assert sync_erp_approvals(uows, erp).handed_over == []  # nothing waits to hand over
