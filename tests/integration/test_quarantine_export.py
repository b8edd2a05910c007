"""`replenish quarantine`: what the data owner opens and what the operator reads is inert."""

from __future__ import annotations

import csv
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from cli import main as cli
from storage.database import make_engine, migrate, session_factory
from storage.unit_of_work import UnitOfWork

HOSTILE_SKU = '=HYPERLINK("http://evil","x")'
ESCAPE_SKU = "A1\x1b[2J\x1b]0;pwned\x07"


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'replenish.db'}"
    engine = make_engine(url)
    migrate(engine)
    run_id = uuid.uuid4().hex
    with UnitOfWork(session_factory(engine)) as uow:
        uow.runs.start(run_id, date(2026, 11, 30), "hostile", datetime.now(UTC), None)
        rows = [
            {"kind": "demand", "file": "demand.csv", "line": line, "disposition": "quarantined",
             "reasons": "UNKNOWN_SKU", "field": "sku", "detail": f"sku '{sku}' is not in items",
             "sku": sku, "location": "@SUM(1+1)*cmd|' /C calc'!A0", "raw": {"sku": sku}}
            for line, sku in ((2, HOSTILE_SKU), (3, ESCAPE_SKU))
        ]  # fmt: skip
        uow.runs.add_dispositions(run_id, rows)
        uow.commit()
    engine.dispose()
    monkeypatch.setenv("REPLENISH_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    return run_id


def test_csv_export_neutralises_formulas(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "quarantine.csv"
    assert cli.main(["quarantine", "--run", database, "--csv", str(out)]) == 0
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["sku"] == "'" + HOSTILE_SKU
    assert rows[0]["location"].startswith("'@SUM")
    leading = {cell[:1] for row in rows for cell in row.values()}
    assert not leading & {"=", "+", "-", "@", "\t", "\r"}


def test_terminal_listing_escapes_control_characters(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["quarantine", "--run", database]) == 0
    printed = capsys.readouterr().out
    assert "\x1b" not in printed
    assert "\x07" not in printed
    assert "A1\\x1b[2J" in printed
