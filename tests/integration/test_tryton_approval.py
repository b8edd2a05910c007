"""Approval inside Tryton: flagged orders handed over, decided there, read back as decisions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from order_factory import pending_order
from sqlalchemy import select
from tryton_seed import APPROVER_LOGIN, APPROVER_PASSWORD, ensure_master_data
from tryton_server import TrytonServer

from integrations.erp.tryton import TrytonErp
from integrations.erp.tryton_rpc import TrytonRpc
from services.decisions import decide
from services.erp_approvals import sync_erp_approvals
from services.submission import submit_approved
from storage.database import make_engine, migrate, session_factory
from storage.models import Decision
from storage.orders import Actor
from storage.unit_of_work import UnitOfWork

pytestmark = pytest.mark.tryton


@pytest.fixture
def uow(tmp_path: Path) -> Callable[[], UnitOfWork]:
    """A database of its own: the pass hands over every waiting order it holds."""
    engine = make_engine(f"sqlite:///{tmp_path / 'replenish.db'}")
    migrate(engine)
    sessions = session_factory(engine)
    return lambda: UnitOfWork(sessions)


def state_of(rpc: TrytonRpc, key: str) -> list[str]:
    rows = rpc.model("purchase.purchase", "search_read", [("reference", "=", key)],
                     0, None, None, ["state"])  # fmt: skip
    return [row["state"] for row in rows]


def test_tryton_approves_one_and_rejects_one_and_the_next_pass_records_both(
    tryton: TrytonServer, uow: Callable[[], UnitOfWork]
) -> None:
    ensure_master_data(tryton.admin(), {"SUP-01"}, {"SKU-1", "SKU-2"}, {"DC-NORTH"})
    erp = TrytonErp(tryton.product(), approval="erp")
    yes, no = pending_order(uow), pending_order(uow)

    handed = sync_erp_approvals(uow, erp)

    assert sorted(handed.handed_over) == sorted([yes, no])
    assert state_of(tryton.admin(), yes) == state_of(tryton.admin(), no) == ["quotation"]
    with uow() as work:  # nothing decided yet: both still wait, now for Tryton
        assert work.orders.statuses([yes, no]) == dict.fromkeys([yes, no], "pending_review")

    # The approver, logged in to Tryton as herself, confirms one and cancels the other.
    approver = TrytonRpc(tryton.url, tryton.database, APPROVER_LOGIN, APPROVER_PASSWORD)
    [yes_id] = approver.model("purchase.purchase", "search", [("reference", "=", yes)],
                              0, 1, None)  # fmt: skip
    [no_id] = approver.model("purchase.purchase", "search", [("reference", "=", no)], 0, 1, None)
    approver.model("purchase.purchase", "confirm", [yes_id])
    approver.model("purchase.purchase", "cancel", [no_id])

    read_back = sync_erp_approvals(uow, erp)

    assert (read_back.approved, read_back.rejected, read_back.handed_over) == ([yes], [no], [])
    with uow() as work:
        assert work.orders.statuses([yes, no]) == {yes: "approved", no: "rejected"}
        decisions = work.session.scalars(select(Decision).order_by(Decision.id)).all()
        assert [(d.outcome, d.decided_by, d.channel) for d in decisions] == [
            ("approved", "tryton", "erp"),
            ("rejected", "tryton", "erp"),
        ]
        approved = work.orders.audit_trail(yes)[-1]
        rejected = work.orders.audit_trail(no)[-1]
    assert (approved.actor, approved.to_state) == ("tryton", "approved")
    assert "Ann Approver (approver)" in approved.reason  # the person inside the ERP
    assert "Ann Approver (approver)" in rejected.reason  # named the same way both times
    assert approved.details is not None
    assert approved.details["erp_user"] == APPROVER_LOGIN
    assert (rejected.actor, rejected.to_state) == ("tryton", "rejected")
    assert rejected.details is not None
    assert rejected.details["erp_user"] == APPROVER_LOGIN

    # The approved order is submitted by adopting Tryton's purchase, not by a second one.
    sent = submit_approved(uow, erp, Actor("nightly-run", "prefect"))
    assert (sent.already_in_erp, sent.submitted, sent.failed) == ([yes], [], {})
    assert state_of(tryton.admin(), yes) == ["processing"]
    assert state_of(tryton.admin(), no) == ["cancelled"]
    again = sync_erp_approvals(uow, erp)
    assert (again.approved, again.rejected, again.handed_over) == ([], [], [])


def test_an_order_approved_on_our_side_first_confirms_trytons_quotation(
    tryton: TrytonServer, uow: Callable[[], UnitOfWork]
) -> None:
    ensure_master_data(tryton.admin(), {"SUP-01"}, {"SKU-1", "SKU-2"}, {"DC-NORTH"})
    erp = TrytonErp(tryton.product(), approval="erp")
    key = pending_order(uow)
    sync_erp_approvals(uow, erp)
    decide(uow, key, "approve", Actor("ann@example.com", "review-page"))

    sent = submit_approved(uow, erp, Actor("nightly-run", "prefect"))

    assert sent.failed == {}
    assert state_of(tryton.admin(), key) == ["processing"]  # the one quotation, confirmed
    with uow() as work:
        assert work.orders.statuses([key]) == {key: "submitted"}
    again = sync_erp_approvals(uow, erp)
    assert (again.approved, again.rejected, again.handed_over) == ([], [], [])


def test_an_unmapped_order_fails_its_hand_over_and_the_others_go_on(
    tryton: TrytonServer, uow: Callable[[], UnitOfWork]
) -> None:
    ensure_master_data(tryton.admin(), {"SUP-01"}, {"SKU-1", "SKU-2"}, {"DC-NORTH"})
    good = pending_order(uow)
    lost = pending_order(uow, supplier_id="SUP-NOWHERE")

    outcome = sync_erp_approvals(uow, TrytonErp(tryton.product(), approval="erp"))

    assert outcome.handed_over == [good]
    assert "no supplier with code 'SUP-NOWHERE'" in outcome.failed[lost]
    assert state_of(tryton.admin(), lost) == []
