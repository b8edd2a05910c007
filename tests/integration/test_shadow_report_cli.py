"""`replenish shadow-report` on a real database: a shadow night's orders against the
buyers' orders of a later extract, as JSON and in words, and a clear refusal when the
night's own extract is gone."""

from __future__ import annotations

import csv
import json
import shutil
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from cli import main as cli
from cli.exit_codes import ExitCode
from cli.sample_data import write_sample_data
from domain.actors import Actor
from domain.lifecycle import OrderStatus
from replenish.bootstrap import build
from settings import load_settings

NIGHT = date(2027, 3, 2)
RUN = Actor("replenish nightly run", "nightly-run")


def shadow_night(extract: Path, lines: list[tuple[str, str, str, int, str]]) -> str:
    """A run that read `extract` and made one shadow order of `lines`; its id."""
    services = build(load_settings())
    run_id, key = uuid.uuid4().hex, f"RPL-SHADOW-{uuid.uuid4().hex[:10].upper()}"
    with services.uow() as uow:
        uow.runs.start(run_id, NIGHT, str(extract), datetime.now(UTC), None)
        order = {"po_key": key, "supplier_id": lines[0][2], "location": lines[0][1],
                 "order_date": NIGHT, "expected_delivery": NIGHT, "currency": "EUR",
                 "value": sum(Decimal(v) for *_, v in lines), "rollout_mode": "shadow"}  # fmt: skip
        rows = [{"sku": sku, "location": loc, "proposed_quantity": Decimal(qty),
                 "unit_cost": Decimal(value) / qty, "line_value": Decimal(value),
                 "explanation": ""} for sku, loc, _, qty, value in lines]  # fmt: skip
        uow.orders.add_proposal(run_id, order, rows, [], RUN)
        uow.orders.transition(key, OrderStatus.SHADOW, RUN, reason="rollout mode shadow")
        uow.commit()
    services.engine.dispose()
    return run_id


def test_the_report_compares_the_night_with_the_buyers_orders_since(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("REPLENISH_DATABASE_URL", database_url)
    write_sample_data(tmp_path / "night", items=12, seed=4, dirty=0.0, as_of=NIGHT)
    items = list(csv.DictReader((tmp_path / "night" / "items.csv").open()))
    first, second, third = items[0], items[1], items[2]
    run_id = shadow_night(tmp_path / "night", [
        (first["sku"], first["location"], first["supplier_id"], 40, "80.00"),
        (second["sku"], second["location"], second["supplier_id"], 10, "50.00"),
    ])  # fmt: skip
    shutil.copytree(tmp_path / "night", tmp_path / "later")
    with (tmp_path / "later" / "open_orders.csv").open("a", newline="") as file:
        csv.writer(file).writerows([
            ["BUYER-77", first["sku"], first["location"], "30", "2027-03-20", first["supplier_id"]],
            ["BUYER-78", third["sku"], third["location"], "6", "2027-03-20", third["supplier_id"]],
        ])  # fmt: skip

    argv = ["shadow-report", "--source", str(tmp_path / "later"), "--run", run_id]
    assert cli.main([*argv, "--json"]) == ExitCode.SUCCEEDED
    report = json.loads(capsys.readouterr().out)
    assert report["buyer_orders"] == 2
    assert report["matched"]["items"] == 1
    assert (report["matched"]["proposed_units"], report["matched"]["ordered_units"]) == (40, 30)
    assert report["product_only"]["items"] == 1
    assert report["product_only"]["proposed_value"] == {"EUR": 50.0}
    assert report["buyers_only"]["items"] == 1
    cost = round(6 * float(third["unit_cost"]), 2)
    assert report["buyers_only"]["ordered_value"] == {"EUR": cost}

    assert cli.main(argv) == ExitCode.SUCCEEDED
    text = capsys.readouterr().out
    assert "the buyers placed 2 orders since" in text
    assert "Only the product would have ordered: 1 item-locations" in text

    # The night's own extract is gone: say what to give instead, change nothing.
    shutil.rmtree(tmp_path / "night")
    assert cli.main(argv) == ExitCode.USAGE
    assert "give --baseline DIR" in capsys.readouterr().err
