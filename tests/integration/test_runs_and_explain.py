"""The runbook's two questions after a real night of sample data, on SQLite and PostgreSQL:
"what happened last night" (`replenish runs`, `runs show`) and "why did the model recommend
that" (`replenish explain`). What they print is checked against what the database holds.

The night is run twice, through the flow in this process as `replenish run` runs it
(tests/flow_night.py): the rerun proposes nothing again, so its item's line belongs to the
first run's order.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from conftest import DATABASES, fresh_database_url
from flow_night import flow_night, sample_data
from sqlalchemy import select

from cli import main as cli
from contracts.run_summary import summary_from_json
from services.run_summary_text import render_text
from storage.database import make_engine, session_factory
from storage.models import Forecast, OrderLine, PurchaseOrder, ReviewFlag, Run
from storage.unit_of_work import UnitOfWork

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("no_replenish_variables")]

AS_OF = "2026-11-18"


@dataclass(frozen=True)
class Night:
    url: str
    first: dict[str, Any]  # `replenish run --json` of the night
    rerun: dict[str, Any]  # the same night again: nothing proposed twice

    @contextmanager
    def uow(self) -> Iterator[UnitOfWork]:
        engine = make_engine(self.url)
        with UnitOfWork(session_factory(engine)) as uow:
            yield uow
        engine.dispose()


@pytest.fixture(scope="module", params=DATABASES)
def night(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, prefect_server: str
) -> Iterator[Night]:
    """Sample data and its night run twice, in this process (flow_night): these tests are
    about `runs`, `runs show`, `quarantine` and `explain`, which read what the nights
    stored, not about the `run` command, which test_cli_run.py runs as an operator does
    (a `replenish` process costs 2-5 s of CPU in imports before it starts)."""
    workdir = tmp_path_factory.mktemp("night")
    with fresh_database_url(request.param, workdir) as url:
        sample_data(workdir, AS_OF, items=40, seed=3)
        first = flow_night(workdir, AS_OF, REPLENISH_DATABASE_URL=url)
        yield Night(url, first, flow_night(workdir, AS_OF, REPLENISH_DATABASE_URL=url))


@pytest.fixture
def replenish(
    night: Night, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Any:
    """`replenish ARGS` in this process on the night's database: (exit code, out, err)."""
    monkeypatch.setenv("REPLENISH_DATABASE_URL", night.url)

    def run(*args: str) -> tuple[int, str, str]:
        code = cli.main(list(args))
        printed = capsys.readouterr()
        return code, printed.out, printed.err

    return run


def test_runs_lists_the_nights_newest_first_as_stored(night: Night, replenish: Any) -> None:
    code, out, _ = replenish("runs", "--json")
    assert code == 0
    listed = json.loads(out)
    ids = [night.rerun["run_id"], night.first["run_id"]]
    assert [entry["run_id"] for entry in listed[:2]] == ids
    with night.uow() as uow:
        stored = {run.id: run for run in uow.session.scalars(select(Run).where(Run.id.in_(ids)))}
    for entry in listed[:2]:
        run = stored[entry["run_id"]]
        assert (entry["as_of"], entry["status"], entry["source"], entry["message"]) == (
            run.as_of.isoformat(),
            run.status,
            run.source,
            run.message,
        )
        assert entry["flow"] == "nightly"

    code, out, _ = replenish("runs", "--last", "1")
    header, *rows = out.splitlines()
    assert code == 0
    assert "STATUS" in header
    assert len(rows) == 1
    assert rows[0].startswith(f"{ids[0][:8]}  {AS_OF}  ")
    assert " succeeded " in rows[0]
    assert rows[0].endswith(f": {night.rerun['message']}")


def test_runs_show_prints_the_night_as_the_night_printed_it(night: Night, replenish: Any) -> None:
    first = night.first["run_id"]
    code, out, _ = replenish("runs", "show", first[:8], "--json")
    assert code == 0
    stored = json.loads(out)
    # What `replenish run --json` printed; only the report stage's time went on after the
    # summary was stored.
    printed = dict(night.first)
    stages, printed_stages = stored.pop("stage_seconds"), printed.pop("stage_seconds")
    assert stages.keys() == printed_stages.keys()
    assert {k: v for k, v in stages.items() if k != "report"} == {
        k: v for k, v in printed_stages.items() if k != "report"
    }
    assert stored == printed
    code, out, _ = replenish("runs", "show", first[:8])
    assert code == 0
    assert out == render_text(summary_from_json(night.first)) + "\n"
    assert out.startswith(f"Nightly run {AS_OF} ({first[:8]}): succeeded\n")
    orders = night.first["orders"]
    assert f"Orders: {orders['purchase_orders']} purchase orders, {orders['lines']} lines" in out

    code, out, _ = replenish("runs", "show")  # no id: the latest night
    assert code == 0
    assert out.startswith(f"Nightly run {AS_OF} ({night.rerun['run_id'][:8]}): succeeded\n")


def test_the_first_8_characters_name_the_run_for_quarantine_too(
    night: Night, replenish: Any
) -> None:
    first = night.first["run_id"]
    quarantined = sum(rows["quarantined"] for rows in night.first["rows"].values())
    code, out, _ = replenish("quarantine", "--run", first[:8])
    assert code == 0
    assert out.startswith(f"Run {first} ({AS_OF}): {quarantined} quarantined rows\n")


def test_a_crashed_run_says_what_was_found(night: Night, replenish: Any) -> None:
    run_id, found = uuid.uuid4().hex, "no sign of life since 01:32 UTC, found by the test"
    with night.uow() as uow:  # as services.crashed_runs closes a dead run
        uow.runs.start(run_id, date(2026, 11, 2), "/data/tonight", datetime(2026, 11, 2, 0, 30,
                       tzinfo=UTC), None)  # fmt: skip
        assert uow.runs.mark_crashed(run_id, found, datetime.now(UTC))
        uow.commit()
    code, out, _ = replenish("runs", "show", run_id[:8])
    assert code == 0
    assert out.splitlines()[:2] == [f"Nightly run 2026-11-02 ({run_id[:8]}): crashed", f"  {found}"]
    code, out, _ = replenish("runs", "--flow", "nightly", "--json", "--last", "50")
    assert {"run_id": run_id, "status": "crashed", "message": found}.items() <= next(
        entry for entry in json.loads(out) if entry["run_id"] == run_id
    ).items()


def test_unknown_runs_and_items_get_one_line_and_exit_2(night: Night, replenish: Any) -> None:
    short = night.first["run_id"][:5]  # fewer than 8 characters name no run
    for args, said in [
        (("runs", "show", "ffffffff"), "there is no run 'ffffffff'"),
        (("runs", "show", short), f"there is no run '{short}'"),
        (("explain", "SKU-00001", "DC-NORTH", "--run", "ffffffff"), "there is no run 'ffffffff'"),
        (("explain", "SKU-NOPE", "DC-NORTH"), "SKU-NOPE at DC-NORTH was not forecast by any"),
    ]:
        code, out, err = replenish(*args)
        assert (code, out) == (2, ""), args
        assert err.startswith(f"replenish: error: {said}"), err
        assert err.count("\n") == 1, err


def test_explain_prints_the_forecast_and_the_line_the_database_holds(
    night: Night, replenish: Any
) -> None:
    with night.uow() as uow:  # a line of the night that a flag names, and its forecasts
        line, flag = uow.session.execute(
            select(OrderLine, ReviewFlag)
            .join(PurchaseOrder, PurchaseOrder.id == OrderLine.purchase_order_id)
            .join(ReviewFlag, (ReviewFlag.purchase_order_id == PurchaseOrder.id)
                  & (ReviewFlag.sku == OrderLine.sku))
            .where(PurchaseOrder.run_id == night.first["run_id"])
            .order_by(ReviewFlag.money_at_stake.desc(), ReviewFlag.id).limit(1)
        ).one()  # fmt: skip
        po = line.purchase_order
        naming = sorted(f.code for f in po.flags if f.sku == line.sku)
        forecasts = {row.run_id: row for row in uow.session.scalars(
            select(Forecast).where(Forecast.sku == line.sku, Forecast.location == line.location)
        )}  # fmt: skip
    code, out, _ = replenish("explain", line.sku, line.location, "--json")
    assert code == 0
    shown = json.loads(out)
    latest = forecasts[night.rerun["run_id"]]  # the latest run that forecast it
    assert shown["run_id"] == night.rerun["run_id"]
    for name in ("demand_class", "model", "fallback", "history_periods", "backtest_rmsse",
                 "backtest_mase", "bias", "demand_mean", "demand_std", "service_level",
                 "demand_quantile", "protection_periods"):  # fmt: skip
        assert shown["forecast"][name] == getattr(latest, name), name
    assert shown["forecast"]["candidates"] == (latest.candidates or {})
    [ordered] = shown["lines"]
    assert ordered["run_id"] == night.first["run_id"]  # the rerun proposed nothing again
    assert (ordered["po_key"], ordered["po_status"]) == (po.po_key, po.status)
    assert ordered["proposed_quantity"] == float(line.proposed_quantity)
    assert ordered["details"] == line.details
    assert sorted(f["code"] for f in ordered["flags"]) == naming

    first = forecasts[night.first["run_id"]]
    code, out, _ = replenish("explain", line.sku, line.location, "--run", po.run_id[:8])
    assert code == 0
    assert out.startswith(f"{line.sku} at {line.location}, as the nightly run of {AS_OF} "
                          f"({po.run_id[:8]}, succeeded) saw it:\n")  # fmt: skip
    assert f"Demand: {first.demand_class} " in out
    assert f"learned from {first.history_periods:,} periods of history" in out
    assert f"Model: {first.model}" in out
    assert all(name in out for name in (first.candidates or {}))
    assert f"quantile is {_reading(first.demand_quantile)}" in out
    assert f"proposed on {po.po_key} ({po.status})" in out
    assert f"  Why: {line.explanation}\n" in out
    assert line.details is not None
    assert f"position {_reading(line.details['position'])} = on hand" in out
    assert f"target {_reading(line.details['target'])}" in out
    assert f"    - {flag.code} ({flag.severity}, {po.currency} " in out
    assert flag.message in out


def test_explain_says_spikes_capped_and_nothing_ordered(night: Night, replenish: Any) -> None:
    run_id = night.first["run_id"]
    with night.uow() as uow:
        rows = uow.session.scalars(select(Forecast).where(Forecast.run_id == run_id)).all()
        ordered = {(sku, location) for sku, location in uow.session.execute(
            select(OrderLine.sku, OrderLine.location).join(PurchaseOrder)
            .where(PurchaseOrder.order_date == date.fromisoformat(AS_OF))
        )}  # fmt: skip
    capped = next(row for row in rows if row.capped_periods)  # the sample data has spikes
    code, out, _ = replenish("explain", capped.sku, capped.location, "--run", run_id)
    assert code == 0
    assert f"capped at {_reading(capped.demand_cap)} before fitting" in out
    idle = next(row for row in rows if (row.sku, row.location) not in ordered)
    code, out, _ = replenish("explain", idle.sku, idle.location, "--run", run_id)
    assert code == 0
    assert f"Ordered: nothing. No order dated {AS_OF} has a line for it" in out


def _reading(value: float | None) -> str:
    """A number as a person reads it: whole numbers bare, others to one decimal."""
    assert value is not None
    return f"{value:,.1f}".removesuffix(".0")
