"""The whole night into a real Tryton: tonight's approved orders end up there, once each."""

from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from email import message_from_bytes
from email import policy as email_policy
from pathlib import Path

import pytest
from sqlalchemy import select
from tryton_seed import (
    APPROVER_LOGIN,
    APPROVER_PASSWORD,
    PRODUCT_LOGIN,
    PRODUCT_PASSWORD,
    ensure_master_data,
)
from tryton_server import TrytonServer

from cli.sample_data import write_sample_data
from domain.lifecycle import OrderStatus
from flows.nightly import nightly_replenishment
from flows.outcomes import summary_of
from flows.submit_approved import submit_approved as submit_approved_flow
from integrations.erp.tryton_rpc import TrytonRpc
from replenish.bootstrap import build
from settings import load_settings
from storage.models import PurchaseOrder

pytestmark = [pytest.mark.prefect, pytest.mark.tryton, pytest.mark.usefixtures("prefect_server")]

_NIGHTS = itertools.count()


@dataclass(frozen=True)
class Night:
    folder: Path
    as_of: date


@pytest.fixture
def night(tmp_path: Path, tryton: TrytonServer, monkeypatch: pytest.MonkeyPatch) -> Night:
    """A night's extract whose suppliers, items and locations Tryton knows by code.

    Each test plans its own date, so its keys never meet another test's purchases in the
    session's one Tryton database.
    """
    as_of = date(2026, 10, 20) - timedelta(days=next(_NIGHTS))
    write_sample_data(tmp_path / "data", items=30, seed=23, dirty=0.0, as_of=as_of)
    with (tmp_path / "data" / "items.csv").open() as handle:
        items = list(csv.DictReader(handle))
    ensure_master_data(
        tryton.admin(),
        {row["supplier_id"] for row in items},
        {row["sku"] for row in items},
        {row["location"] for row in items},
    )
    monkeypatch.setenv("REPLENISH_DATABASE_URL", f"sqlite:///{tmp_path / 'replenish.db'}")
    monkeypatch.setenv("REPLENISH_EMAIL__OUTBOX_DIR", str(tmp_path / "outbox"))
    monkeypatch.setenv("REPLENISH_FLAGS__LARGE_ORDER_VALUE", "true")
    monkeypatch.setenv("REPLENISH_FLAGS__ORDER_VALUE_LIMIT", "1500")
    monkeypatch.setenv("REPLENISH_ERP__ADAPTER", "tryton")
    monkeypatch.setenv("REPLENISH_ERP__TRYTON__URL", tryton.url)
    monkeypatch.setenv("REPLENISH_ERP__TRYTON__DATABASE", tryton.database)
    # The product's own user, as docs/erp.md sets it up: never admin, which would hide a
    # missing right.
    monkeypatch.setenv("REPLENISH_ERP__TRYTON__LOGIN", PRODUCT_LOGIN)
    monkeypatch.setenv("REPLENISH_ERP__TRYTON__PASSWORD", PRODUCT_PASSWORD)
    return Night(tmp_path / "data", as_of)


def test_a_night_and_its_rerun_put_each_approved_order_in_tryton_once(
    night: Night, tryton: TrytonServer
) -> None:
    for _ in range(2):  # the night, then the operator runs it again
        state = nightly_replenishment(
            source=str(night.folder), as_of=night.as_of, return_state=True
        )
        summary = summary_of(state.result(raise_on_failure=False))
        assert summary is not None
        assert summary["status"] == "succeeded", summary

    services = build(load_settings())
    with services.uow() as uow:
        orders = {po.po_key: po.status for po in uow.session.scalars(select(PurchaseOrder))}
    approved = {key for key, status in orders.items() if status == OrderStatus.SUBMITTED.value}
    waiting = {key for key, status in orders.items() if status == "pending_review"}
    assert approved, "the sample night should auto-approve orders"
    assert set(orders) == approved | waiting  # nothing failed, nothing stuck in between

    rows = tryton.admin().model(
        "purchase.purchase", "search_read", [("reference", "in", sorted(orders))],
        0, None, None, ["reference", "state", "party.code", "warehouse.code"],
    )  # fmt: skip
    held = [row["reference"] for row in rows]
    assert sorted(held) == sorted(approved)  # each approved order once; no waiting one
    assert {row["state"] for row in rows} == {"processing"}
    with services.uow() as uow:
        for row in rows:
            po = uow.orders.get(row["reference"])
            assert po is not None
            assert (row["party."]["code"], row["warehouse."]["code"]) == (
                po.supplier_id,
                po.location,
            )


def mail_subject(path: Path) -> str:
    message = message_from_bytes(path.read_bytes(), policy=email_policy.default)
    return str(message["Subject"])


def test_with_approval_in_tryton_the_next_run_records_and_sends_its_verdicts(
    night: Night, tryton: TrytonServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPLENISH_ERP__TRYTON__APPROVAL", "erp")
    state = nightly_replenishment(source=str(night.folder), as_of=night.as_of, return_state=True)
    assert state.type.value == "COMPLETED"
    summary = summary_of(state.result(raise_on_failure=False))
    assert summary is not None
    assert summary["outputs"]["erp"].startswith(f"Tryton at {tryton.url}")
    services = build(load_settings())
    with services.uow() as uow:
        waiting = sorted(po.po_key for po in uow.orders.waiting_for_decision())
        ours = {po.po_key: po.status for po in uow.session.scalars(select(PurchaseOrder))}
    sent = sorted(key for key, status in ours.items() if status == OrderStatus.SUBMITTED.value)
    assert len(waiting) >= 2, "the sample night should flag at least two orders"
    admin = tryton.admin()
    held = admin.model("purchase.purchase", "search_read", [("reference", "in", sorted(ours))],
                       0, None, None, ["reference", "state"])  # fmt: skip
    by_state: dict[str, list[str]] = {}
    for row in held:
        by_state.setdefault(row["state"], []).append(row["reference"])
    # Counted in Tryton: the auto-approved orders placed (confirmed by the product's own
    # user, in the Confirm group), the flagged ones waiting as quotations, nothing else.
    assert sorted(by_state["processing"]) == sent
    assert summary["submitted"] == len(sent)
    assert sorted(by_state["quotation"]) == waiting
    assert set(by_state) == {"processing", "quotation"}
    quotes = [row for row in held if row["state"] == "quotation"]
    # No review request: the flagged orders wait in Tryton, not on our review page.
    subjects = [mail_subject(path) for path in night.folder.parent.glob("outbox/*.eml")]
    assert not [s for s in subjects if "to review" in s], subjects

    approver = TrytonRpc(tryton.url, tryton.database, APPROVER_LOGIN, APPROVER_PASSWORD)
    ids = {row["reference"]: row["id"] for row in quotes}
    yes, no = waiting[0], waiting[1]
    approver.model("purchase.purchase", "confirm", [ids[yes]])
    approver.model("purchase.purchase", "cancel", [ids[no]])

    assert submit_approved_flow()["status"] == "succeeded"  # `replenish submit`, a later run

    with services.uow() as uow:
        assert uow.orders.statuses([yes, no]) == {yes: "submitted", no: "rejected"}
        trail = [(r.actor, r.channel, r.to_state) for r in uow.orders.audit_trail(yes)]
    assert ("tryton", "erp", "approved") in trail
    rows = admin.model("purchase.purchase", "search_read", [("reference", "in", waiting)],
                       0, None, None, ["reference", "state"])  # fmt: skip
    assert sorted(row["reference"] for row in rows) == waiting  # still one purchase per key
    assert {row["reference"]: row["state"] for row in rows}[no] == "cancelled"
