"""`replenish reconcile` against a real REST ERP on loopback: after a buyer changed a
quantity in the ERP, entered an order by hand under our key and deleted another, the
report names each difference; with nothing changed, both sides agree."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from erp_rest_server import ErpRestServer
from test_fault_injection import approved_orders

from cli.main import main
from integrations.erp.base import ErpHeldOrder
from integrations.erp.rest import RestErp
from services.reconciliation import as_markdown, compare
from services.submission import submit_approved
from storage.database import make_engine, migrate, session_factory
from storage.orders import Actor
from storage.unit_of_work import UnitOfWork


@pytest.fixture
def night(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[ErpRestServer, list[str]]]:
    """Three orders sent to the ERP, from a database of their own."""
    url = f"sqlite:///{tmp_path / 'replenish.db'}"
    engine = make_engine(url)
    migrate(engine)
    keys = approved_orders(engine)
    server = ErpRestServer().up()
    sessions = session_factory(engine)
    submit_approved(lambda: UnitOfWork(sessions), RestErp(server.base_url), Actor("t", "t"))
    for name, value in {
        "DATABASE_URL": url, "ERP__ADAPTER": "rest", "ERP__BASE_URL": server.base_url,
    }.items():  # fmt: skip
        monkeypatch.setenv(f"REPLENISH_{name}", value)
    yield server, keys
    server.down()
    engine.dispose()


def test_both_sides_agree_after_a_clean_submission(
    night: tuple[ErpRestServer, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["reconcile", "--since", "2026-11-01"]) == 0
    assert "All 3 orders sent agree with the ERP" in capsys.readouterr().out


def test_every_difference_is_reported(
    night: tuple[ErpRestServer, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    server, (changed, deleted, _kept) = night
    server.change_quantity(changed, "A1", "4")  # a buyer changed it in the ERP
    server.orders = [o for o in server.orders if o["reference"] != deleted]
    by_hand = "RPL-20261130-BYHAND-DC"
    server.add(by_hand, {"A1": "2"})
    assert main(["reconcile", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["missing_in_erp"] == [deleted]
    assert report["not_recorded_here"] == {by_hand: "unknown"}
    assert report["quantity_differences"] == [
        {"po_key": changed, "sku": "A1", "ours": "6", "theirs": "4"}
    ]
    assert report["matched"] == 1  # the third, untouched


def test_the_markdown_table_names_each_difference_and_escapes_erp_text() -> None:
    theirs = [ErpHeldOrder(po_key="RPL-1", external_ref="9", quantities={"A|1": Decimal(3)})]
    result = compare({"RPL-1": {"A|1": Decimal(5)}, "RPL-2": {}}, theirs, {}, erp="x", since=None)
    table = as_markdown(result)
    assert "| RPL-2 | missing in the ERP |" in table
    assert "| RPL-1 | quantity of A\\|1 | 5 | 3 |" in table


def test_an_adapter_that_cannot_list_its_orders_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("REPLENISH_DATABASE_URL", f"sqlite:///{tmp_path / 'r.db'}")
    monkeypatch.setenv("REPLENISH_ERP__DROP_DIR", str(tmp_path / "drop"))
    assert main(["reconcile"]) == 2
    assert "file_drop ERP adapter cannot list" in capsys.readouterr().err
