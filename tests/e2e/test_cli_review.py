"""A buyer deciding from the terminal: list what waits, read one order, approve or reject it,
and the next run sends what was approved, once."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import NamedTuple

import pytest
from cli_night import BIN, night_env, replenish
from flow_night import flow_night, sample_data

pytestmark = pytest.mark.slow

AS_OF = "2026-11-25"
BUYER = "buyer@example.com"


class Night(NamedTuple):
    workdir: Path
    env: dict[str, str]
    summary: dict
    # `review list` right after the run, before any test decides an order: the tests
    # share the night, so what waits later depends on which of them ran first.
    listed_after_run: list[dict]


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory, prefect_server: str) -> Night:
    """The night the buyer reviews, run in this process (flow_night): these tests are about
    the `review` commands; the `run` command is run as an operator runs it by the decision
    test, twice after deciding, and by test_cli_run.py."""
    workdir = tmp_path_factory.mktemp("review")
    env = night_env(tmp_path_factory.mktemp("prefect-home"), prefect_server)
    sample_data(workdir, AS_OF, items=40, seed=3)
    summary = flow_night(workdir, AS_OF)
    assert summary["orders"]["pending_review"] >= 2  # the sample data has exceptions
    return Night(workdir, env, summary, _listed(workdir, env))


def waiting(night: Night) -> list[dict]:
    return _listed(night.workdir, night.env)


def _listed(workdir: Path, env: dict[str, str]) -> list[dict]:
    listed = replenish("review", "list", "--json", cwd=workdir, env=env)
    assert listed.returncode == 0, listed.stderr
    orders: list[dict] = json.loads(listed.stdout)
    return orders


def test_the_list_holds_every_order_waiting_with_its_reasons(night: Night) -> None:
    orders = night.listed_after_run
    assert len(orders) == night.summary["orders"]["pending_review"]
    assert all(order["approver"] == BUYER and order["reasons"] for order in orders)
    workdir, env = night.workdir, night.env
    shown = replenish("review", "show", orders[0]["po_key"], cwd=workdir, env=env)
    assert shown.returncode == 0, shown.stderr
    assert "Why it waits:" in shown.stdout
    assert orders[0]["main_reason"].split(" (+")[0] in shown.stdout  # in words
    stakes = [order["money_at_stake"] for order in orders]
    assert stakes == sorted(stakes, reverse=True)  # most money at stake first
    assert "Expect " in shown.stdout  # each line's own explanation


def test_a_decision_is_taken_once_by_the_right_person_and_sent_once(night: Night) -> None:
    workdir, env = night.workdir, night.env
    before = waiting(night)
    order, other = before[:2]
    key = order["po_key"]
    stranger = replenish("review", "approve", key, "--as", "eve@example.com", cwd=workdir, env=env)
    assert stranger.returncode == 3
    assert f"waits for {BUYER}" in stranger.stderr

    shown = json.loads(replenish("review", "show", key, "--json", cwd=workdir, env=env).stdout)
    line = shown["lines"][0]
    pack = _pack(workdir, key, line["sku"])
    if pack > 1:  # a part pack is refused with the rule, and nothing is decided
        part = replenish("review", "approve", key, "--as", BUYER, "--qty",
                         f"{line['sku']}={line['proposed_quantity'] + 1:g}", cwd=workdir,
                         env=env)  # fmt: skip
        assert part.returncode == 2
        assert f"is not a whole number of packs of {pack:g}" in part.stderr
    changed = line["proposed_quantity"] + pack  # the buyer changes the quantity: one pack more
    approved = replenish("review", "approve", key, "--as", BUYER, "--qty",
                         f"{line['sku']}={changed:g}", "--comment", "one more", cwd=workdir,
                         env=env)  # fmt: skip
    assert approved.returncode == 0, approved.stderr
    assert f"{key} is now approved (by {BUYER})" in approved.stdout
    assert "Order value: EUR " in approved.stdout  # the recomputed value
    state = json.loads(replenish("review", "show", key, "--json", cwd=workdir, env=env).stdout)
    assert state["status"] == "approved"
    decision = state["decisions"][-1]
    assert (decision["decided_by"], decision["channel"], decision["comment"]) == (
        BUYER, "cli", "one more")  # fmt: skip
    assert float(decision["quantities"][line["sku"]]["approved"]) == changed
    text = replenish("review", "show", key, cwd=workdir, env=env).stdout
    assert f"Approved by {BUYER} on" in text
    assert 'Comment: "one more"' in text
    assert "waiting for" not in text
    again = replenish("review", "reject", key, "--as", BUYER, cwd=workdir, env=env)
    assert again.returncode == 3
    assert f"already approved by {BUYER}" in again.stderr

    rejected = replenish("review", "reject", other["po_key"], "--as", BUYER, cwd=workdir, env=env)
    assert rejected.returncode == 0, rejected.stderr
    left = [o["po_key"] for o in before if o["po_key"] not in {key, other["po_key"]}]
    assert [o["po_key"] for o in waiting(night)] == left
    shown = json.loads(replenish("review", "show", key, "--json", cwd=workdir, env=env).stdout)
    assert shown["lines"][0]["approved_quantity"] == changed  # beside the proposal
    assert shown["lines"][0]["proposed_quantity"] == line["proposed_quantity"]

    # The next run sends the approved order to the ERP (once), never the rejected one.
    rerun = replenish("run", "--source", "data", "--as-of", AS_OF, "--json", cwd=workdir, env=env)
    assert rerun.returncode == 0, rerun.stderr
    assert json.loads(rerun.stdout)["submitted"] == 1
    sent = json.loads((workdir / "erp-drop" / f"{key}.json").read_text())
    quantities = {row["sku"]: float(row["quantity"]) for row in sent["lines"]}
    assert quantities[line["sku"]] == changed  # what the buyer approved, not the proposal
    assert not (workdir / "erp-drop" / f"{other['po_key']}.json").exists()
    third = replenish("run", "--source", "data", "--as-of", AS_OF, "--json", cwd=workdir, env=env)
    assert json.loads(third.stdout)["submitted"] == 0


def _pack(workdir: Path, key: str, sku: str) -> float:
    """The line's pack size as the night stored it (the supplier's terms)."""
    import sqlite3

    with sqlite3.connect(workdir / "replenish.db") as db:
        row = db.execute(
            "SELECT l.details FROM order_lines l JOIN purchase_orders p "
            "ON p.id = l.purchase_order_id WHERE p.po_key = ? AND l.sku = ?",
            (key, sku),
        ).fetchone()
    return float(json.loads(row[0]).get("pack_size") or 1)


def test_mistakes_get_one_line(night: Night) -> None:
    workdir, env = night.workdir, night.env
    missing = replenish("review", "show", "RPL-NOPE", cwd=workdir, env=env)
    assert missing.returncode == 2
    assert "no purchase order RPL-NOPE" in missing.stderr
    bad = replenish("review", "approve", "RPL-NOPE", "--as", BUYER, "--qty", "SKU", cwd=workdir,
                    env=env)  # fmt: skip
    assert bad.returncode == 2
    assert "write SKU=QUANTITY" in bad.stderr
    assert "Traceback" not in missing.stderr + bad.stderr


def test_a_reader_that_stops_early_ends_the_output_quietly(night: Night) -> None:
    """`replenish review show ... | head`: the reader closes the pipe before the command
    writes; the command ends without a BrokenPipeError traceback, with exit 141 as other
    Unix tools (formerly a traceback and exit 1)."""
    key = night.listed_after_run[0]["po_key"]
    for args in (("review", "show", key), ("review", "list", "--json")):
        shown = subprocess.Popen(
            [str(BIN / "replenish"), *args], cwd=night.workdir, env=night.env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        assert shown.stdout is not None
        assert shown.stderr is not None
        shown.stdout.close()  # gone before the command has started to print
        errors = shown.stderr.read().decode()
        assert shown.wait(timeout=300) == 141, errors
        assert errors == ""


def test_money_at_stake_is_the_same_on_every_surface(night: Night) -> None:
    """docs/flag-rules.md: one order's money at stake agrees on the page's header, the
    digest, the e-mail, `review list`, `review show` and the run summary's holds; a
    flag's own amount is the part it questions, never more than the order's."""
    from datetime import UTC, datetime, timedelta
    from email import message_from_bytes, policy

    from approvals.links import Grant
    from approvals.policy import RoutingPolicy
    from domain.money import format_money
    from services.review_pages import digest_page, order_page
    from storage.database import make_engine, session_factory
    from storage.unit_of_work import UnitOfWork

    holds = {h["po_key"]: h for h in night.summary["review"]["top_holds"]}
    # Not one of the two orders the decision test decides (the largest when it runs).
    candidates = [o for o in night.listed_after_run[2:] if o["po_key"] in holds]
    order = (candidates or night.listed_after_run)[-1]
    key, workdir, env = order["po_key"], night.workdir, night.env
    stake = order["money_at_stake"]
    shown = json.loads(replenish("review", "show", key, "--json", cwd=workdir, env=env).stdout)
    assert shown["money_at_stake"] == stake
    assert all(flag["money_at_stake"] <= stake + 0.005 for flag in shown["flags"] if flag["holds"])
    if key in holds:
        assert holds[key]["money_at_stake"] == stake

    engine = make_engine(f"sqlite:///{workdir / 'replenish.db'}")
    try:
        sessions = session_factory(engine)
        now = datetime.now(UTC)
        grant = Grant(BUYER, key, now + timedelta(days=30))
        page = order_page(lambda: UnitOfWork(sessions), RoutingPolicy(), grant, now)
        digest = digest_page(lambda: UnitOfWork(sessions), RoutingPolicy(), grant, now)
    finally:
        engine.dispose()
    assert float(page.money_at_stake) == stake
    assert [float(e.money_at_stake) for e in digest if e.po_key == key] == [stake]

    written = format_money(page.money_at_stake, page.currency)
    mails = [message_from_bytes(p.read_bytes(), policy=policy.default)
             for p in (workdir / "outbox").glob("*.eml")]  # fmt: skip
    rows = [
        line for mail in mails
        for line in mail.get_body(("plain",)).get_content().splitlines()  # type: ignore[union-attr]
        if line.split(". ", 1)[0].isdigit() and f"{page.location}:" in line
        and page.supplier in line
    ]  # fmt: skip
    assert any(f": {written} - " in row for row in rows), rows
