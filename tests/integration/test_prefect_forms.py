"""Deciding in the Prefect UI, against a real server, pool, deployments and worker: one
suspended form per person listing all their waiting orders; the answers applied through
the review page's service; a refused decision red, and its order back in a new form.

The tests run in module order on one night's orders (every order waits for the buyer):
each answers the form the previous one left open. Resuming is done through the API call
the UI's "Resume" form makes.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import pandas as pd
import psutil
import pytest
from prefect.client.orchestration import PrefectClient
from prefect.client.schemas.objects import FlowRun
from prefect_served import Served, flow_runs, read_run, served_prefect, start, wait_terminal
from sqlalchemy import create_engine, text

from cli.sample_data import write_sample_data
from purchasing.supplier_terms import SupplierTerms

pytestmark = [pytest.mark.prefect, pytest.mark.slow]

BUYER = "buyer@example.com"
FORMS = "approver-decisions"
DAY = date.today()  # the extract is fresh, as the quality gate wants it


@dataclass(frozen=True)
class Night:
    served: Served
    database: Path


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Night]:
    """A night whose every order waits for the buyer, run through the nightly deployment."""
    home = tmp_path_factory.mktemp("forms")
    extract = home / "tonight"
    write_sample_data(extract, items=12, seed=3, dirty=0.0, as_of=DAY)
    suppliers = pd.read_csv(extract / "suppliers.csv", dtype=str, keep_default_na=False)
    suppliers["order_days"], suppliers["min_order_value"] = "", "0"  # every supplier today
    suppliers.to_csv(extract / "suppliers.csv", index=False)
    ids = ", ".join(f'"{s}"' for s in suppliers["supplier_id"])
    (home / "config.toml").write_text(
        f'[flags]\nalways_review_suppliers = [{ids}]\n[approvals]\ndefault_approver = "{BUYER}"\n'
    )
    database = home / "replenish.db"
    worker_env = {
        "REPLENISH_SOURCE": str(extract),
        "REPLENISH_CONFIG": str(home / "config.toml"),
        "REPLENISH_DATABASE_URL": f"sqlite:///{database}",
        "REPLENISH_ERP__DROP_DIR": str(home / "erp-drop"),
        "REPLENISH_EMAIL__OUTBOX_DIR": str(home / "outbox"),
    }
    with served_prefect(home, worker_env) as served:
        run = start(served, "nightly-replenishment/nightly", {"as_of": DAY.isoformat()})
        assert wait_terminal(served, [run])[run] == "COMPLETED"
        yield Night(served, database)


def query(night: Night, sql: str, **params: Any) -> list[Any]:
    engine = create_engine(f"sqlite:///{night.database}")
    with engine.connect() as conn:
        rows = list(conn.execute(text(sql), params).all())
    engine.dispose()
    return rows


def waiting(night: Night) -> set[str]:
    rows = query(night, "SELECT po_key FROM purchase_orders WHERE status = 'pending_review'")
    return {str(r.po_key) for r in rows}


def status_and_decisions(night: Night, key: str) -> tuple[str, list[tuple[str, str, str]]]:
    status = query(night, "SELECT status FROM purchase_orders WHERE po_key = :k", k=key)
    decisions = query(
        night,
        "SELECT d.decided_by, d.outcome, d.channel FROM decisions d JOIN purchase_orders p "
        "ON p.id = d.purchase_order_id WHERE p.po_key = :k ORDER BY d.id",
        k=key,
    )
    return str(status[0].status), [(str(a), str(b), str(c)) for a, b, c in decisions]


def open_form(night: Night, other_than: set[UUID] = frozenset()) -> FlowRun:  # type: ignore[assignment]
    """The one suspended form, once there is exactly one (and it is not one of `other_than`)."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        paused = flow_runs(night.served, FORMS, "PAUSED")
        if len(paused) == 1 and paused[0].id not in other_than:
            return paused[0]
        assert len(paused) <= 1, f"more than one open form: {[r.parameters for r in paused]}"
        time.sleep(2)
    pytest.fail(f"no open form: {[(r.name, r.state_name) for r in flow_runs(night.served, FORMS)]}")


def resume(night: Night, run_id: UUID, run_input: dict[str, Any]) -> str:
    """What the UI's Resume form does: the answer ACCEPT, or REJECT with its reason."""

    async def post() -> str:
        async with PrefectClient(api=night.served.api_url) as client:
            answer = await client.resume_flow_run(run_id, run_input=run_input)
        reason = getattr(answer.details, "reason", "")
        return f"{answer.status.value} {reason}".strip()

    return asyncio.run(post())


def state_message(night: Night, run_id: UUID) -> str:
    state = read_run(night.served, run_id).state
    return (state.message or "") if state else ""


def _live_children(pid: int) -> list[str]:
    """The command lines of a process's descendants that still run."""
    found = []
    for child in psutil.Process(pid).children(recursive=True):
        try:
            found.append(" ".join(child.cmdline()[1:4]))
        except psutil.NoSuchProcess:  # gone, or a zombie the worker has not reaped: not running
            continue
    return found


def no_run_going(night: Night) -> list[str]:
    """The worker's child processes once every form is suspended (none, or a timeout)."""
    deadline = time.monotonic() + 120
    children: list[str] = []
    while time.monotonic() < deadline:
        children = _live_children(night.served.worker.pid)
        if not children:
            return []
        time.sleep(2)
    return children


def test_one_suspended_run_lists_every_order_waiting_for_the_buyer(night: Night) -> None:
    form = open_form(night)

    assert form.state_name == "Suspended"
    assert form.name == f"decisions for {BUYER}"
    assert form.parameters["approver"] == BUYER
    assert set(form.parameters["po_keys"]) == waiting(night)
    assert len(waiting(night)) >= 4
    # Suspended means no process: the worker runs nothing while the orders wait.
    assert no_run_going(night) == []


def test_resuming_with_decisions_applies_them_through_the_review_service(night: Night) -> None:
    form = open_form(night)
    keys = list(form.parameters["po_keys"])
    lines = "FROM order_lines l JOIN purchase_orders p ON p.id = l.purchase_order_id"
    first = query(night, f"SELECT l.sku, l.details {lines} WHERE p.po_key = :k ORDER BY l.id",
                  k=keys[0])[0]  # fmt: skip
    sku, details = first.sku, first.details
    # A quantity the supplier accepts (whole packs, at least the MOQ): the smallest one.
    allowed = SupplierTerms.of(json.loads(details) if isinstance(details, str) else details)
    quantity = int(allowed.smallest)

    answer = resume(night, form.id, {
        "your_email": BUYER,
        "order_01": {"decision": "approve", "line_01": quantity, "comment": "that will do"},
        "order_02": {"decision": "reject", "comment": "not now"},
    })  # fmt: skip

    assert answer == "ACCEPT"
    assert wait_terminal(night.served, [form.id])[form.id] == "COMPLETED"
    assert status_and_decisions(night, keys[0]) == (
        "approved", [(BUYER, "approved", "prefect-ui")],
    )  # fmt: skip
    assert status_and_decisions(night, keys[1]) == (
        "rejected", [(BUYER, "rejected", "prefect-ui")],
    )  # fmt: skip
    approved = query(night, f"SELECT l.approved_quantity {lines} WHERE p.po_key = :k AND "
                     "l.sku = :s", k=keys[0], s=sku)  # fmt: skip
    assert float(approved[0].approved_quantity) == quantity
    # What was left for later is in the buyer's next form, and nothing else.
    again = open_form(night, other_than={form.id})
    assert list(again.parameters["po_keys"]) == keys[2:]


def test_a_refused_decision_ends_failed_and_the_order_gets_a_new_form(night: Night) -> None:
    form = open_form(night)
    key = form.parameters["po_keys"][0]

    # A quantity the form cannot take is refused by Prefect itself: the form stays open.
    negative = {"decision": "approve", "line_01": -5}
    answer = resume(night, form.id, {"your_email": BUYER, "order_01": negative})
    assert answer.startswith("REJECT")
    assert read_run(night.served, form.id).state_name == "Suspended"

    answer = resume(night, form.id, {"your_email": "someone.else@example.com",
                                     "order_01": {"decision": "approve"}})  # fmt: skip

    assert answer == "ACCEPT"
    assert wait_terminal(night.served, [form.id])[form.id] == "FAILED"
    message = state_message(night, form.id)
    assert f"{key}: purchase order {key} waits for {BUYER}" in message
    assert "not for someone.else@example.com" in message
    assert status_and_decisions(night, key) == ("pending_review", [])
    again = open_form(night, other_than={form.id})
    assert key in again.parameters["po_keys"]
    assert set(again.parameters["po_keys"]) == waiting(night)


def test_a_decision_taken_elsewhere_meanwhile_wins_and_closes_the_form(night: Night) -> None:
    form = open_form(night)
    first, second = form.parameters["po_keys"][:2]
    cli_reject(night, first)

    # The form still lists it; the buyer's approval there comes too late and says so.
    resume(night, form.id, {"your_email": BUYER, "order_01": {"decision": "approve"}})

    assert wait_terminal(night.served, [form.id])[form.id] == "FAILED"
    assert f"{first} was already rejected by {BUYER}" in state_message(night, form.id)
    assert status_and_decisions(night, first) == ("rejected", [(BUYER, "rejected", "cli")])

    # Decided on the CLI while the new form waits: the next chase-deadlines run replaces it.
    again = open_form(night, other_than={form.id})
    assert second in again.parameters["po_keys"]
    cli_reject(night, second)
    chase = start(night.served, "chase-deadlines/chase-deadlines")
    assert wait_terminal(night.served, [chase])[chase] == "COMPLETED"
    assert wait_terminal(night.served, [again.id])[again.id] == "CANCELLED"
    assert second in state_message(night, again.id)
    left = waiting(night)
    if left:
        assert set(open_form(night, other_than={again.id}).parameters["po_keys"]) == left
    else:
        assert flow_runs(night.served, FORMS, "PAUSED") == []


def cli_reject(night: Night, key: str) -> None:
    done = subprocess.run(
        [str(Path(sys.executable).with_name("replenish")), "review", "reject", key,
         "--as", BUYER, "--comment", "decided on the CLI"],
        capture_output=True, text=True, timeout=120,
        env={**night.served.env, "REPLENISH_DATABASE_URL": f"sqlite:///{night.database}"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
