"""Rolling out: real nights in shadow, review-all and live, on SQLite and PostgreSQL.

A shadow night records its orders, lines and flags and sends nothing: the file-drop
folder stays empty, a REST ERP on loopback is asked to create nothing, and a real SMTP
server receives no mail. A review-all night sends every order to a person; a category
override keeps its orders live. Each change of mode is in the audit log, and the shadow
night's proposals are compared with the buyers' orders of the next night's extract.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from erp_rest_server import ErpRestServer
from smtp_inbox import Inbox, smtp_server
from sqlalchemy import select

from approvals.policy import RoutingPolicy
from cli.sample_data import write_sample_data
from flows.nightly import nightly_replenishment
from flows.outcomes import summary_of
from replenish.bootstrap import build
from services.decisions import DecideOrder, decide_order
from services.refusals import AlreadyDecided
from services.shadow_comparison import compare_shadow_night
from services.value_report import build_value_report
from settings import load_settings
from storage.models import AuditRecord, OrderLine, PurchaseOrder, ReviewFlag, Submission

pytestmark = [pytest.mark.prefect, pytest.mark.usefixtures("prefect_server")]
NIGHT, NEXT_NIGHT = date(2027, 2, 3), date(2027, 2, 4)
BUYER = "buyer@rollout.example.com"


def night(source: Path, as_of: date, config: Path) -> dict[str, Any]:
    state = nightly_replenishment(
        source=str(source), as_of=as_of, config=str(config), return_state=True
    )
    summary = summary_of(state.result(raise_on_failure=False))
    assert summary is not None
    assert state.type.value == "COMPLETED", summary
    return summary


def orders_of(config: Path, run_id: str) -> list[PurchaseOrder]:
    services = build(load_settings(config))
    try:
        with services.uow() as uow:
            return list(
                uow.session.scalars(select(PurchaseOrder).where(PurchaseOrder.run_id == run_id))
            )
    finally:
        services.engine.dispose()


def rollout_audit(config: Path) -> list[tuple[str, str | None, str | None, str]]:
    services = build(load_settings(config))
    try:
        with services.uow() as uow:
            records = uow.session.scalars(
                select(AuditRecord).where(AuditRecord.entity == "rollout").order_by(AuditRecord.id)
            )
            return [
                (r.entity_key, r.from_state, r.to_state, (r.details or {})["run_id"])
                for r in records
            ]
    finally:
        services.engine.dispose()


def add_buyer_orders(extract: Path, later: Path, rows: list[dict[str, str]]) -> None:
    """The next night's extract: tonight's, plus the orders the buyers placed by hand."""
    shutil.copytree(extract, later)
    with (later / "open_orders.csv").open("a", newline="") as file:
        writer = csv.DictWriter(
            file, ["order_ref", "sku", "location", "quantity", "due_date", "supplier_id"]
        )
        writer.writerows(rows)


def test_shadow_sends_nothing_then_review_all_asks_for_every_order_and_both_are_compared(
    own_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        for name, value in {
            "DATABASE_URL": own_database,
            "ERP__DROP_DIR": str(tmp_path / "erp-drop"),
            "EMAIL__TRANSPORT": "smtp", "EMAIL__SMTP_PORT": str(port),
            "EMAIL__OUTBOX_DIR": str(tmp_path / "outbox"),
            "APPROVALS__DEFAULT_APPROVER": BUYER,
        }.items():  # fmt: skip
            monkeypatch.setenv(f"REPLENISH_{name}", value)
        write_sample_data(tmp_path / "data", items=30, seed=11, dirty=0.0, as_of=NIGHT)
        config = tmp_path / "config.toml"
        config.write_text('[rollout]\nmode = "shadow"\n')
        shadow = night(tmp_path / "data", NIGHT, config)

        # Proposed and recorded, in the database with their mode...
        orders = orders_of(config, shadow["run_id"])
        assert orders
        assert {(o.status, o.rollout_mode) for o in orders} == {("shadow", "shadow")}
        assert shadow["orders"]["shadow"] == len(orders) == shadow["orders"]["purchase_orders"]
        assert shadow["orders"]["by_mode"]["shadow"]["orders"] == len(orders)
        assert shadow["orders"]["auto_approved"] == shadow["orders"]["pending_review"] == 0
        services = build(load_settings(config))
        with services.uow() as uow:
            ids = [o.id for o in orders]
            lines = uow.session.scalars(
                select(OrderLine).where(OrderLine.purchase_order_id.in_(ids))
            ).all()
            flags = uow.session.scalars(
                select(ReviewFlag).where(ReviewFlag.purchase_order_id.in_(ids))
            ).all()
            claims = uow.session.scalars(select(Submission)).all()
        assert len(lines) == shadow["orders"]["lines"]
        assert len(flags) == sum(shadow["flags"].values())
        # ...and nothing left: no ERP file, no submission claim, no mail, no outbox.
        assert claims == []
        assert shadow["submitted"] == 0
        assert shadow["emails"] == 0
        assert not any((tmp_path / "erp-drop").glob("**/*.*"))
        assert inbox.messages == []
        assert not (tmp_path / "outbox").exists() or not any((tmp_path / "outbox").iterdir())
        # Nobody can approve a shadow order into the ERP, not even an administrator.
        as_admin = DecideOrder(orders[0].po_key, "approve", BUYER, "cli", in_place_of_approver=True)
        with pytest.raises(AlreadyDecided, match="shadow mode"):
            decide_order(services.uow, RoutingPolicy(administrators=[BUYER]), as_admin)
        services.engine.dispose()
        assert rollout_audit(config) == [("catalogue", "live", "shadow", shadow["run_id"])]

        # The next night: the buyers ordered by hand meanwhile; the catalogue goes to
        # review-all, except Fasteners (category 0, mostly bought from SUP-01), live.
        proposed = {(line.sku, line.location): line for line in lines}
        (sku, location), first = sorted(proposed.items())[0]
        supplier = next(o.supplier_id for o in orders if o.id == first.purchase_order_id)
        add_buyer_orders(tmp_path / "data", tmp_path / "next", [
            {"order_ref": "BUY-1", "sku": sku, "location": location,
             "quantity": str(int(first.proposed_quantity) + 5), "due_date": "2027-02-20",
             "supplier_id": supplier},
            {"order_ref": "BUY-2", "sku": "SKU-00999", "location": location, "quantity": "7",
             "due_date": "2027-02-20", "supplier_id": supplier},
        ])  # fmt: skip
        config.write_text(
            '[rollout]\nmode = "review-all"\n[rollout.overrides]\n"category:Fasteners" = "live"\n'
        )
        second = night(tmp_path / "next", NEXT_NIGHT, config)

    made = orders_of(config, second["run_id"])
    by_mode = {mode: [o for o in made if o.rollout_mode == mode] for mode in ("live", "review-all")}
    assert by_mode["review-all"], "some orders hold a category other than Fasteners"
    assert {o.status for o in by_mode["review-all"]} == {"pending_review"}
    assert {o.status for o in by_mode["live"]} <= {"submitted", "pending_review"}
    assert second["orders"]["by_mode"]["review-all"]["orders"] == len(by_mode["review-all"])
    assert second["orders"]["shadow"] == 0
    assert {m["To"] for m in inbox.messages} == {BUYER}  # every review-all order: a person
    assert rollout_audit(config)[1:] == [
        ("catalogue", "shadow", "review-all", second["run_id"]),
        ("category:Fasteners", None, "live", second["run_id"]),
    ]
    assert second["rollout"]["changes"][0] == {"scope": "catalogue", "old": "shadow",
                                               "new": "review-all"}  # fmt: skip

    # The shadow night against what the buyers ordered since (the next night's extract).
    services = build(load_settings(config))
    settings = services.settings
    try:
        from integrations.sources.base import CsvFolderSource

        report = compare_shadow_night(
            services.uow, [CsvFolderSource(tmp_path / "next")], settings.validation, "EUR",
            run=shadow["run_id"],
        )  # fmt: skip
        # The value report over both nights: the shadow orders are in no figure (nothing
        # was placed) and its shadow section is the same comparison.
        worth = build_value_report(services.uow, settings, until=NEXT_NIGHT, weeks=1)
    finally:
        services.engine.dispose()
    assert report.buyer_orders == 1  # BUY-2 names an item the extract does not know
    assert report.matched.items == 1
    assert report.matched.proposed_units == first.proposed_quantity
    assert report.matched.ordered_units == first.proposed_quantity + 5
    assert report.product_only.items == len(proposed) - 1
    assert report.buyers_only.items == 0
    assert report.proposed_value == {"EUR": sum(line.line_value for line in lines)}
    assert worth.total.lines == second["orders"]["lines"]  # the shadow night's are not in
    (section,) = [s for s in worth.sections if s.key == "shadow"]
    both = next(row for row in section.rows if row[0] == "both ordered")
    units = first.proposed_quantity
    assert both[1:4] == ["1", f"{units:,.0f}", f"{units + 5:,.0f}"]
    only_product = next(row for row in section.rows if row[0] == "only the product")
    assert only_product[1] == str(len(proposed) - 1)
    assert f"{report.shadow_orders} orders proposed" in section.summary


@pytest.fixture
def rest_erp() -> Iterator[ErpRestServer]:
    erp = ErpRestServer(token="rollout-token").up()
    yield erp
    erp.down()


def test_a_shadow_night_asks_a_rest_erp_to_create_nothing(
    rest_erp: ErpRestServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'rest.db'}",
        "EMAIL__OUTBOX_DIR": str(tmp_path / "outbox"), "ROLLOUT__MODE": "shadow",
        "ERP__ADAPTER": "rest", "ERP__BASE_URL": rest_erp.base_url, "ERP__TOKEN": "rollout-token",
    }.items():  # fmt: skip
        monkeypatch.setenv(f"REPLENISH_{name}", value)
    write_sample_data(tmp_path / "data", items=20, seed=5, dirty=0.0, as_of=NIGHT)
    state = nightly_replenishment(source=str(tmp_path / "data"), as_of=NIGHT, return_state=True)
    summary = summary_of(state.result(raise_on_failure=False))
    assert summary is not None
    assert summary["orders"]["shadow"] > 0, summary
    # At most the reconciliation's read of what the ERP holds; never a create or a cancel.
    assert {method for method, _ in rest_erp.requests} <= {"GET"}
    assert rest_erp.orders == []
    assert not (tmp_path / "outbox").exists() or not any((tmp_path / "outbox").iterdir())
