"""The nightly flow keeps what routing decided on each waiting order and mails both approvers."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from cli.sample_data import write_sample_data
from flows.nightly import nightly_replenishment
from flows.outcomes import summary_of
from replenish.bootstrap import build
from settings import load_settings
from storage.models import Notification, PurchaseOrder

pytestmark = [pytest.mark.prefect, pytest.mark.usefixtures("prefect_server")]

# Since issue 14 an order's size alone no longer holds it: large_order_value holds the
# big first orders of a fresh database (no history yet), and the tier compares the whole
# supplier order (an order and its review order `-R` together) in euros, USD at 0.9.
CONFIG = """
[flags]
large_order_value = true
order_value_limit = 1500.0

[currency]
rates = { USD = 0.9 }

[approvals]
default_approver = "buyer@example.com"
review_hours = 6
deputies = { "buyer@example.com" = "deputy@example.com" }

[[approvals.tiers]]
name = "two-people"
above = 1500.0
hours = 30
approvals = 2
second_approver = "head@example.com"
"""


def test_routing_is_stored_on_each_waiting_order(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    as_of = date(2026, 10, 1)  # a night no other test plans, so keys never collide
    monkeypatch.setenv("REPLENISH_DATABASE_URL", database_url)
    monkeypatch.setenv("REPLENISH_ERP__DROP_DIR", str(tmp_path / "erp-drop"))
    monkeypatch.setenv("REPLENISH_EMAIL__OUTBOX_DIR", str(tmp_path / "outbox"))
    # People of this test only: the session database is shared, and a run mails every
    # order still waiting for its approver, whichever test (or run) left it there.
    domain = f"routing-{uuid.uuid4().hex[:8]}.example.com"
    buyer, deputy, head = (f"{role}@{domain}" for role in ("buyer", "deputy", "head"))
    config = tmp_path / "config.toml"
    config.write_text(CONFIG.replace("example.com", domain))
    write_sample_data(tmp_path / "data", items=30, seed=11, dirty=0.02, as_of=as_of)
    # One supplier invoices in US dollars: its money must never be added to euros.
    suppliers = tmp_path / "data" / "suppliers.csv"
    suppliers.write_text(suppliers.read_text().replace(",EUR,", ",USD,", 1))
    started = datetime.now(UTC)
    state = nightly_replenishment(
        source=str(tmp_path / "data"), as_of=as_of, config=str(config), return_state=True
    )
    summary = summary_of(state.result(raise_on_failure=False))
    assert state.type.value == "COMPLETED", summary
    assert summary is not None
    with build(load_settings(config)).uow() as uow:
        waiting = uow.session.scalars(
            select(PurchaseOrder).where(
                PurchaseOrder.run_id == summary["run_id"],
                PurchaseOrder.status == "pending_review",
            )
        ).all()
        mailed = set(
            uow.session.scalars(
                select(Notification.recipient).where(
                    Notification.run_id == summary["run_id"],
                    Notification.recipient.like(f"%@{domain}"),
                )
            )
        )
    assert waiting
    with build(load_settings(config)).uow() as uow:
        all_orders = uow.session.scalars(
            select(PurchaseOrder).where(PurchaseOrder.run_id == summary["run_id"])
        ).all()
        whole: dict[str, float] = {}
        for po in all_orders:
            rate = 0.9 if po.currency == "USD" else 1.0
            family = po.po_key.removesuffix("-R")
            whole[family] = whole.get(family, 0.0) + float(po.value) * rate
    for po in waiting:
        two = whole[po.po_key.removesuffix("-R")] > 1500
        assert po.approver == buyer
        assert po.deputy == deputy
        assert po.routing_tier == ("two-people" if two else "standard")
        assert po.required_approvals == (2 if two else 1)
        assert po.second_approver == (head if two else None)
        due = po.decision_due_at
        assert due is not None
        due = due if due.tzinfo else due.replace(tzinfo=UTC)
        hours = timedelta(hours=30 if two else 6)
        assert started + hours <= due <= datetime.now(UTC) + hours
        assert po.escalation_stage is None
    expected = {buyer} | (
        {head} if any(whole[po.po_key.removesuffix("-R")] > 1500 for po in waiting) else set()
    )
    assert mailed == expected
    by_currency: dict[str, float] = {}
    for po in waiting:
        by_currency[po.currency] = by_currency.get(po.currency, 0.0) + float(po.value)
    assert set(by_currency) == {"EUR", "USD"}  # both currencies wait for the buyer
    with build(load_settings(config)).uow() as uow:
        subject = uow.session.scalar(
            select(Notification.subject).where(
                Notification.run_id == summary["run_id"],
                Notification.recipient == buyer,
            )
        )
    assert subject is not None
    total = " + ".join(f"{c} {v:,.2f}" for c, v in sorted(by_currency.items()))
    assert f"({total})" in subject


def test_a_currency_without_a_rate_stops_the_run_naming_it(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    as_of = date(2026, 10, 12)  # a Monday: every sample supplier orders
    monkeypatch.setenv("REPLENISH_DATABASE_URL", database_url)
    monkeypatch.setenv("REPLENISH_ERP__DROP_DIR", str(tmp_path / "erp-drop"))
    monkeypatch.setenv("REPLENISH_EMAIL__OUTBOX_DIR", str(tmp_path / "outbox"))
    write_sample_data(tmp_path / "data", items=30, seed=12, dirty=0.0, as_of=as_of)
    suppliers = tmp_path / "data" / "suppliers.csv"
    suppliers.write_text(suppliers.read_text().replace(",EUR,", ",GBP,", 1))
    state = nightly_replenishment(source=str(tmp_path / "data"), as_of=as_of, return_state=True)
    summary = summary_of(state.result(raise_on_failure=False))
    assert state.type.value == "FAILED"
    assert summary is not None
    assert summary["status"] == "stopped"
    assert "no exchange rate for GBP" in summary["message"]
    assert not list((tmp_path / "erp-drop").glob("*.json"))  # nothing ordered on a guess
