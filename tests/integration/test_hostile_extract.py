"""A hostile extract: one damaged row in the first or the last of several demand files.

Every damage a broken export does to a row (a field too many or too few, a NUL byte, a
byte of no encoding, a 1900 date) is quarantined with its reason, file and line, every
row of every file is accounted for, and the night still orders. Formerly the demand
files were merged by the first file's columns: a damaged row in the first file crashed
the night (`KeyError: 'source_problem'`), one in a later file was read as a valid row.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hostile import DEMAND_DAMAGES, RowDamage, damage_row, split_demand

from cli.sample_data import write_sample_data
from flows.nightly import nightly_replenishment
from flows.outcomes import summary_of
from replenish.bootstrap import build
from settings import load_settings
from storage.database import make_engine, migrate

pytestmark = [pytest.mark.prefect, pytest.mark.usefixtures("prefect_server")]

AS_OF = date(2025, 9, 30)
DAMAGED_LINE = 3  # the second data row: its item is a known one


def fresh_database(tmp_path: Path) -> str:
    """A database of the test's own: another night's orders would count as on order."""
    url = f"sqlite:///{tmp_path / 'replenish.db'}"
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    return url


@pytest.mark.parametrize("position", ["first", "last"])
@pytest.mark.parametrize("damage", DEMAND_DAMAGES, ids=lambda d: d.name)
def test_a_damaged_demand_row_is_quarantined_and_the_night_orders(
    damage: RowDamage,
    position: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REPLENISH_DATABASE_URL", fresh_database(tmp_path))
    monkeypatch.setenv("REPLENISH_ERP__DROP_DIR", str(tmp_path / "erp-drop"))
    monkeypatch.setenv("REPLENISH_EMAIL__OUTBOX_DIR", str(tmp_path / "outbox"))
    folder = tmp_path / "data"
    write_sample_data(folder, items=8, seed=3, dirty=0.0, as_of=AS_OF)
    files = split_demand(folder)
    damaged = files[0] if position == "first" else files[-1]
    damage_row(folder / damaged, DAMAGED_LINE, damage)

    state = nightly_replenishment(source=str(folder), as_of=AS_OF, return_state=True)
    summary = summary_of(state.result(raise_on_failure=False))

    assert summary is not None
    assert (state.type.value, summary["status"]) == ("COMPLETED", "succeeded")
    assert summary["orders"]["purchase_orders"] > 0
    rows = summary["rows"]
    for name in files:
        count = rows[name]
        data_lines = (folder / name).read_bytes().rstrip(b"\n").count(b"\n")
        assert count["read"] == data_lines, name
        assert count["read"] == count["accepted"] + count["repaired"] + count["quarantined"]
        assert count["quarantined"] == (1 if name == damaged else 0), name
    services = build(load_settings())
    try:
        with services.uow() as uow:
            (row,) = [d for d in uow.runs.dispositions(summary["run_id"]) if d.file == damaged]
    finally:
        services.engine.dispose()
    assert (row.line, row.disposition) == (DAMAGED_LINE, "quarantined")
    assert damage.reason in row.reasons.split(";")
    assert row.detail.startswith(f"{damaged} line {DAMAGED_LINE}: ")
