"""The monitoring flow on a real Prefect test server and a real database: stored nightly
forecasts, a demand level shift in one category, one drift alert naming it."""

from __future__ import annotations

import email
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from email import policy
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import text

from cli import main as cli
from domain.lifecycle import OrderStatus
from flows.monitoring import monitor_forecasts
from replenish.bootstrap import build
from replenish.run_date import run_date
from settings import load_settings
from storage.monitoring import MonitoringRepository
from storage.orders import Actor
from storage.unit_of_work import UnitOfWork

pytestmark = [pytest.mark.prefect, pytest.mark.usefixtures("prefect_server")]

OPERATIONS = (Path(__file__).resolve().parents[2] / "docs" / "operations.md").read_text()

CATEGORIES = {"Tools": "SUP-1", "Paint": "SUP-2", "Garden": "SUP-3"}
NIGHTS = 60
# The last stored night is yesterday: monitoring looks back from today.
FIRST = run_date("Europe/Berlin") - timedelta(days=NIGHTS)
SHIFT = 52  # from this night on, Garden sells twice as much


def sold(category: str, series: int, rng: np.random.Generator) -> np.ndarray:
    days = 91 + NIGHTS
    y = (10.0 + series) * (1.0 + 0.2 * np.sin(np.arange(days) * 2 * np.pi / 7))
    y = y + rng.normal(0, 1.0, days)
    if category == "Garden":
        y[91 + SHIFT :] *= 2.0
    return np.clip(y, 0, None).round(2)


def store_nights() -> None:
    """Sixty nightly runs as the nightly flow stores them: per series the forecast path
    and the last 91 days as sold."""
    services = build(load_settings())
    rng = np.random.default_rng(5)
    history = {(f"{c[:3].upper()}-{i}", c): sold(c, i, rng) for c in CATEGORIES for i in range(4)}
    with services.uow() as uow:
        for night in range(NIGHTS):
            as_of = FIRST + timedelta(days=night)
            run_id = f"monitoring-night-{night:03d}"
            uow.runs.start(run_id, as_of, "test", datetime.now(UTC), None)
            rows = []
            for (sku, category), y in history.items():
                past = y[night : night + 91]  # the 91 days before as_of
                profile = past[-28:].reshape(4, 7).mean(axis=0)
                path = [round(float(profile[i % 7]), 4) for i in range(14)]
                rows.append(
                    {
                        "sku": sku, "location": "DC", "demand_class": "smooth",
                        "model": "SeasonalWindowAverage", "history_periods": 91,
                        "mean_per_period": float(np.mean(path)), "protection_periods": 7.0,
                        "demand_mean": float(sum(path[:7])), "demand_std": 3.0,
                        "service_level": 0.95, "demand_quantile": float(sum(path[:7]) * 1.2),
                        "forecast_path": path, "history_tail": [float(v) for v in past],
                        "supplier_id": CATEGORIES[category], "category": category,
                    }
                )  # fmt: skip
            uow.runs.add_forecasts(run_id, rows)
            if night == 10:
                changed_by_a_buyer(uow, run_id, as_of)
            uow.runs.finish(run_id, "succeeded", "", {}, datetime.now(UTC))
        uow.commit()
    services.engine.dispose()


def changed_by_a_buyer(uow: UnitOfWork, run_id: str, as_of: date) -> None:
    """A flagged order of that night whose quantity a buyer raised from 50 to 70, while
    the demand that followed was what the forecast said: the proposal was closer."""
    buyer = Actor("ann@acme.test", "review-page")
    key = f"RPL-{as_of:%Y%m%d}-SUP-3-DC"
    line = {
        "sku": "GAR-0", "location": "DC", "proposed_quantity": Decimal(50),
        "approved_quantity": Decimal(70), "unit_cost": Decimal(2), "line_value": Decimal(100),
        "explanation": "order-up-to",
    }  # fmt: skip
    order = {
        "po_key": key, "supplier_id": "SUP-3", "location": "DC", "order_date": as_of,
        "expected_delivery": as_of + timedelta(days=7), "currency": "EUR",
        "value": Decimal(100),
    }  # fmt: skip
    uow.orders.add_proposal(run_id, order, [line], [], buyer)
    uow.orders.transition(key, OrderStatus.PENDING_REVIEW, buyer)
    uow.orders.transition(key, OrderStatus.APPROVED, buyer)
    uow.orders.record_decision(key, "approved", buyer)


def test_a_level_shift_in_one_category_alerts_for_that_category_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database_url = f"sqlite:///{tmp_path / 'monitoring.db'}"  # only these forecasts
    monkeypatch.setenv("REPLENISH_DATABASE_URL", database_url)
    monkeypatch.setenv("REPLENISH_EMAIL__OUTBOX_DIR", str(tmp_path / "outbox"))
    store_nights()

    summary = monitor_forecasts()

    assert [reason.split("'")[1] for reason in summary["drift"] if "category" in reason] == [
        "Garden"
    ]
    assert not any("Tools" in r or "Paint" in r for r in summary["drift"])
    services = build(load_settings())
    with services.uow() as uow:
        stored = MonitoringRepository(uow.session).results(summary["run_id"])
    by_segment = {(r.kind, r.segment): r for r in stored}
    assert by_segment[("category", "Garden")].drift
    assert by_segment[("category", "Garden")].bias is not None
    assert by_segment[("category", "Garden")].bias < 0  # forecasts fell short
    assert not by_segment[("category", "Tools")].drift
    assert {kind for kind, _ in by_segment} == {"demand_class", "supplier_id", "category"}
    mails = [
        email.message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in (tmp_path / "outbox").glob("*.eml")
    ]
    assert len(mails) == 1
    assert "category 'Garden'" in str(mails[0].get_content())
    people = summary["approvals"]
    assert people["orders"] == 1
    assert people["decided_by_people"] == 1
    assert people["flags_overturned_share"] == 1.0
    assert people["quantities_changed_share"] == 1.0
    assert people["changes_judged"] == 1
    assert people["people_closer_share"] == 0.0  # the proposal was closer to what sold


def test_the_runbook_commands_show_the_drift_and_a_segment_over_the_nights(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """docs/operations.md, "Accuracy and drift over time": `replenish runs --flow
    monitoring`, `runs show` of a monitoring run, and its SQL over `monitoring_results`."""
    monkeypatch.setenv("REPLENISH_DATABASE_URL", f"sqlite:///{tmp_path / 'monitoring.db'}")
    monkeypatch.setenv("REPLENISH_EMAIL__OUTBOX_DIR", str(tmp_path / "outbox"))
    store_nights()
    summary = monitor_forecasts()

    assert cli.main(["runs", "--flow", "monitoring", "--json"]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert (listed["run_id"], listed["flow"], listed["status"]) == (
        summary["run_id"], "monitoring", "succeeded",
    )  # fmt: skip
    assert listed["message"] == f"{len(summary['drift'])} drift alerts"
    assert cli.main(["runs", "show", summary["run_id"][:8]]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith(f"Monitoring run {summary['as_of']} ({summary['run_id'][:8]}): ")
    assert all(f"  Drift: {reason}" in shown for reason in summary["drift"])
    [garden] = [line for line in shown.splitlines() if line.startswith("    category Garden:")]
    assert garden.endswith("DRIFT")
    assert all(not line.endswith("DRIFT") for line in shown.splitlines() if " Tools:" in line)

    section = OPERATIONS.split("### Accuracy and drift over time", 1)[1].split("\n## ", 1)[0]
    query = section.split("```sql\n", 1)[1].split("```", 1)[0].replace("'Tools'", "'Garden'")
    services = build(load_settings())
    with services.uow() as uow:
        rows = uow.session.execute(text(query)).all()
    services.engine.dispose()
    assert len(rows) == 1  # one monitoring night stored
    assert bool(rows[0].drift)
