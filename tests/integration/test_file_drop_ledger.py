"""The file-drop adapter remembers what it wrote in its own ledger, not in the folder."""

from __future__ import annotations

import json
import multiprocessing
from datetime import date
from decimal import Decimal
from pathlib import Path

from integrations.erp.base import ErpOrder, ErpOrderLine
from integrations.erp.file_drop import FileDropErp


def order(key: str = "RPL-20261130-S1-DC") -> ErpOrder:
    line = ErpOrderLine(
        sku="A1", quantity=Decimal("6"), unit_price=Decimal("2.5"), line_value=Decimal("15.00")
    )
    return ErpOrder(
        po_key=key,
        supplier_id="S1",
        location="DC",
        order_date=date(2026, 11, 30),
        expected_delivery=date(2026, 12, 7),
        currency="EUR",
        value=Decimal("15.00"),
        lines=(line,),
    )


def test_a_file_moved_by_the_importer_is_not_written_again(tmp_path: Path) -> None:
    drop = tmp_path / "erp-drop"
    first = FileDropErp(drop).submit(order())
    assert first.created
    imported = tmp_path / "imported"
    imported.mkdir()
    (drop / "RPL-20261130-S1-DC.json").rename(imported / "RPL-20261130-S1-DC.json")
    again = FileDropErp(drop)  # a new process: only the ledger remembers
    assert again.find("RPL-20261130-S1-DC") is not None
    assert not again.submit(order()).created
    assert list(drop.iterdir()) == []
    ledger = (tmp_path / "erp-drop.ledger").read_text().splitlines()
    assert [json.loads(line)["state"] for line in ledger] == ["writing", "written"]


def test_leftover_part_files_are_removed_and_a_torn_ledger_line_ignored(tmp_path: Path) -> None:
    drop = tmp_path / "erp-drop"
    drop.mkdir()
    (drop / ".RPL-20261130-S9-DC.part").write_text("{half")
    (drop / ".RPL-20261130-S8-DC.json.x1y2z3").write_text("{old temp name")
    (tmp_path / "erp-drop.ledger").write_text('{"key": "RPL-20261130-S7-DC", "sta')
    adapter = FileDropErp(drop)
    assert adapter.submit(order()).created
    assert sorted(p.name for p in drop.iterdir()) == ["RPL-20261130-S1-DC.json"]
    assert FileDropErp(drop).find("RPL-20261130-S1-DC") is not None


def test_a_key_killed_before_its_rename_is_published_once(tmp_path: Path) -> None:
    drop = tmp_path / "erp-drop"
    drop.mkdir()
    key = "RPL-20261130-S1-DC"
    (drop / f".{key}.part").write_text("{}\n")  # complete, never renamed into place
    (tmp_path / "erp-drop.ledger").write_text(json.dumps({"key": key, "state": "writing"}) + "\n")
    adapter = FileDropErp(drop)
    assert adapter.find(key) is not None  # completed on start, not sent a second time
    assert not adapter.submit(order()).created
    assert sorted(p.name for p in drop.iterdir()) == [f"{key}.json"]


def test_a_key_killed_after_its_rename_and_then_imported_is_not_resent(tmp_path: Path) -> None:
    drop = tmp_path / "erp-drop"
    drop.mkdir()
    key = "RPL-20261130-S1-DC"  # renamed into place, then the importer took it
    (tmp_path / "erp-drop.ledger").write_text(json.dumps({"key": key, "state": "writing"}) + "\n")
    assert not FileDropErp(drop).submit(order()).created
    assert list(drop.iterdir()) == []


def _submit_many(folder: str, keys: list[str]) -> int:
    adapter = FileDropErp(Path(folder))
    return sum(adapter.submit(order(key)).created for key in keys)


def test_two_processes_write_each_key_once(tmp_path: Path) -> None:
    keys = [f"RPL-20261130-S{n}-DC" for n in range(40)]
    drop = tmp_path / "erp-drop"
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        created = pool.starmap(_submit_many, [(str(drop), keys), (str(drop), keys[::-1])])
    assert sum(created) == len(keys)
    assert len(list(drop.glob("*.json"))) == len(keys)
