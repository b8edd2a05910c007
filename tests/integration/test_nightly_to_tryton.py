"""The whole night into a real Tryton: tonight's approved orders end up there, once each."""

from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass
from datetime import date, timedelta
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


def test_with_approval_in_tryton_the_next_run_records_and_sends_its_verdicts(
    night: Night, tryton: TrytonServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPLENISH_ERP__TRYTON__APPROVAL", "erp")
    state = nightly_replenishment(source=str(night.folder), as_of=night.as_of, return_state=True)
    assert state.type.value == "COMPLETED"
    services = build(load_settings())
    with services.uow() as uow:
        waiting = sorted(po.po_key for po in uow.orders.waiting_for_decision())
    assert len(waiting) >= 2, "the sample night should flag at least two orders"
    admin = tryton.admin()
    quotes = admin.model("purchase.purchase", "search_read", [("reference", "in", waiting)],
                         0, None, None, ["reference", "state"])  # fmt: skip
    assert sorted(row["reference"] for row in quotes) == waiting  # each handed over once
    assert {row["state"] for row in quotes} == {"quotation"}

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
