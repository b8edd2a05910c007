"""The value report after a multi-night scenario (issue 23): four weekly nights of the
real nightly flow on generated data, successive extracts with the demand and deliveries
that followed, and a scripted buyer changing quantities (tests/value_scenario.py).

Checks that the report's counts and money add up to the orders and decisions in the
database, that what the changes were worth is computed against the demand that followed
(recomputed here from the extract's files), and that a parameter proposal learnt from
the buyer takes effect only once an administrator accepts it. SQLite and PostgreSQL.

Then a business owner reads the report on the review server through the signed link an
administrator minted, and an administrator accepts a proposal there: real HTTP (uvicorn
on loopback) and headless Chromium (Playwright, Debian's /usr/bin/chromium), with the
review page's protections (a link of another purpose, a changed or an expired one shows
nothing; GET changes nothing; a POST needs the page's CSRF value; only an
administrator's link accepts). Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pandas as pd
import pytest
from conftest import DATABASES, empty_postgres_database
from live_server import serving
from sqlalchemy import func, select
from value_nights import ADMIN, BUYER_CHANNEL, NIGHTS, OWNER, START, Scenario, run_scenario

from domain.actors import Actor, utcnow
from replenish.bootstrap import build
from services import learning
from services.review_links import value_link
from services.review_pages import NotForYou
from services.value_report import scored_nights
from settings import load_settings
from storage.models import (
    AuditRecord,
    Decision,
    Forecast,
    OrderLine,
    ParameterProposal,
    PurchaseOrder,
    QueuedMail,
)
from web.app import ReviewContext, create_app

pytestmark = [pytest.mark.slow, pytest.mark.prefect, pytest.mark.usefixtures("prefect_server")]
ITEMS, SEED = 40, 3


@pytest.fixture(
    name="scenario",
    scope="module",
    params=DATABASES,
)
def scenario_fixture(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Scenario]:
    """The value report's multi-night scenario (tests/value_scenario.py): four weekly
    nights in a database of their own, once per database."""
    root = tmp_path_factory.mktemp(f"value-{request.param}")
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{root / 'replenish.db'}"
        else:
            url = stack.enter_context(empty_postgres_database("replenish_value"))
        env = stack.enter_context(pytest.MonkeyPatch.context())
        for name in [n for n in os.environ if n.startswith("REPLENISH_")]:
            env.delenv(name)
        env.setenv("REPLENISH_DATABASE_URL", url)
        env.setenv("REPLENISH_ERP__DROP_DIR", str(root / "erp-drop"))
        env.setenv("REPLENISH_EMAIL__OUTBOX_DIR", str(root / "outbox"))
        env.setenv("REPLENISH_APPROVALS__ADMINISTRATORS", f'["{ADMIN}"]')
        env.chdir(root)
        last = run_scenario(root, START, NIGHTS, ITEMS, SEED)
        built = build(load_settings(None))
        stack.callback(built.engine.dispose)
        yield Scenario(root, last, built)


def test_counts_and_money_add_up_to_the_orders_and_decisions_stored(scenario: Scenario) -> None:
    report = scenario.report()
    with scenario.services.uow() as uow:
        s = uow.session
        lines = s.scalar(select(func.count()).select_from(OrderLine))
        value = s.scalar(select(func.sum(OrderLine.line_value)))
        asked = s.scalar(
            select(func.count(func.distinct(AuditRecord.entity_key))).where(
                AuditRecord.from_state == "proposed", AuditRecord.to_state == "pending_review"
            )
        )
        decided = s.scalar(select(func.count(func.distinct(Decision.purchase_order_id))).where(
            Decision.channel == BUYER_CHANNEL))  # fmt: skip
        changed = s.execute(select(OrderLine.proposed_quantity, OrderLine.approved_quantity,
                                   OrderLine.unit_cost).where(
            OrderLine.approved_quantity.is_not(None),
            OrderLine.approved_quantity != OrderLine.proposed_quantity)).all()  # fmt: skip
    t = report.total
    assert report.nights == NIGHTS
    assert (t.lines, t.value) == (lines, value)
    assert t.decisions_asked == asked
    assert t.decisions_taken == decided
    assert decided >= 1
    assert t.minutes_asked == (asked or 0) * 2.0
    assert t.minutes_every_line == (lines or 0) * 2.0
    assert t.changes == len(changed) > 0
    moves = [(Decimal(p), Decimal(a or 0), Decimal(c)) for p, a, c in changed]
    assert t.changes_up == len([1 for p, a, _ in moves if a > p])
    assert t.changes_down == len([1 for p, a, _ in moves if a < p])
    change_value = sum(((a - p) * c for p, a, c in moves), Decimal(0))
    assert abs(t.change_value - change_value) <= Decimal("0.01")
    for rows in (report.by_week, report.by_category, report.by_supplier, report.by_location):
        assert sum(r.lines for r in rows) == t.lines
        assert sum((r.value for r in rows), Decimal(0)) == t.value
        assert sum(r.changes for r in rows) == t.changes
        assert sum(r.changes_scored for r in rows) == t.changes_scored
    for rows in (report.by_week, report.by_supplier, report.by_location):  # an order is in one
        assert sum(r.decisions_asked for r in rows) == t.decisions_asked
    assert len(report.by_week) == NIGHTS


def test_changes_are_scored_against_the_demand_that_followed(scenario: Scenario) -> None:
    folder = scenario.root / f"night-{NIGHTS}"
    demand = pd.concat([pd.read_csv(f) for f in folder.glob("demand_*.csv")])
    demand["date"] = pd.to_datetime(demand["date"]).dt.date
    known_until = max(demand["date"])
    with scenario.services.uow() as uow:
        rows = uow.session.execute(select(
            PurchaseOrder.order_date, OrderLine.sku, OrderLine.location,
            OrderLine.proposed_quantity, OrderLine.approved_quantity, OrderLine.unit_cost,
            OrderLine.details).join(PurchaseOrder).where(
            OrderLine.approved_quantity != OrderLine.proposed_quantity)).all()  # fmt: skip
    helped, saved, scored, waiting = 0, 0.0, 0, []
    for day, sku, location, proposed, approved, cost, details in rows:  # a few dozen lines
        span = int(-(-(details["lead_time_days"] + details["review_period_days"]) // 1))
        end = day + timedelta(days=span)
        if end - timedelta(days=1) > known_until:
            waiting.append(end - timedelta(days=1))
            continue
        mine = demand[(demand["sku"] == sku) & (demand["location"] == location)
                      & (demand["date"] >= day) & (demand["date"] < end)]  # fmt: skip
        ideal = max(float(proposed) + float(mine["quantity"].sum()) - details["demand_mean"], 0.0)
        before, after = abs(float(proposed) - ideal), abs(float(approved) - ideal)
        scored += 1
        helped += after < before
        saved += (before - after) * float(cost)
    t = scenario.report().total
    assert scored > 0, "the scenario must have changes whose outcome is known"
    assert waiting, "the scenario must have changes whose outcome is not known yet"
    assert (t.changes_scored, t.changes_helped) == (scored, helped)
    assert t.money_saved is not None
    assert abs(float(t.money_saved) - saved) < 0.02
    assert t.changes_waiting == len(waiting)
    assert t.known_after == max(waiting)
    assert t.known_after > known_until  # said as a date, never a zero


def test_a_figure_not_known_yet_says_when(scenario: Scenario) -> None:
    from services.value_text import render_markdown

    report = scenario.report()
    last_week = report.outcomes_by_week[-1]
    assert last_week.stockout_days is None
    assert last_week.known_after is not None
    text = render_markdown(report)
    assert f"known after {report.total.known_after}" in text
    observed = [o for o in report.outcomes_by_week if o.nights_observed]
    assert observed
    assert all(o.fill_rate is not None for o in observed)


def test_a_proposal_takes_effect_only_when_an_administrator_accepts_it(scenario: Scenario) -> None:
    svc = scenario.services
    since = scenario.last - timedelta(weeks=NIGHTS + 1)
    lines = scored_nights(svc.uow, svc.settings, since, scenario.last).lines
    proposed = learning.learn_from_buyers(svc.uow, svc.settings, lines)
    assert proposed, "the buyer's Safety raises proved right: a proposal is expected"
    first = proposed[0]
    assert first.status == "proposed"
    assert first.parameter == "service_level"
    assert learning.learn_from_buyers(svc.uow, svc.settings, lines) == []  # never twice
    with svc.uow() as uow:
        mails = uow.session.scalars(
            select(QueuedMail).where(QueuedMail.kind == "parameter_proposal")
        )
        assert [m.recipient for m in mails] == [ADMIN]

    levels_before = _levels_of_next_night(scenario, first.scope_key)
    with pytest.raises(learning.ProposalRefused, match="not an administrator"):
        learning.decide_proposal(svc.uow, svc.settings.approvals, first.id, accept=True,
                                 actor=Actor(OWNER, "cli"))  # fmt: skip
    assert learning.list_proposals(svc.uow)[0].status == "proposed"
    assert _levels_of_next_night(scenario, first.scope_key) == levels_before  # nothing silent

    done = learning.decide_proposal(svc.uow, svc.settings.approvals, first.id, accept=True,
                                    actor=Actor(ADMIN, "cli"))  # fmt: skip
    assert done.status == "accepted"
    assert done.decided_by == ADMIN
    assert done.decided_at
    with svc.uow() as uow:
        audit = uow.session.scalars(select(AuditRecord).where(
            AuditRecord.entity == "parameter_proposal", AuditRecord.entity_key == str(first.id))
        ).all()  # fmt: skip
    assert [(a.action, a.actor) for a in audit] == [
        ("propose", learning.PRODUCT.name), ("accept", ADMIN)]  # fmt: skip
    with pytest.raises(learning.ProposalRefused, match="already accepted"):
        learning.decide_proposal(svc.uow, svc.settings.approvals, first.id, accept=False,
                                 actor=Actor(ADMIN, "cli"))  # fmt: skip
    after = _levels_of_next_night(scenario, first.scope_key)
    assert all(level >= first.proposed_value - 1e-9 for level in after.values())
    assert after != levels_before


def _levels_of_next_night(scenario: Scenario, scope_key: str) -> dict[tuple[str, str], float]:
    """The service level each item of the proposal's scope gets from the real nightly flow
    run once more on the last night's extract (its forecasts record the level used)."""
    from flows.nightly import nightly_replenishment

    folder = scenario.root / f"night-{NIGHTS}"
    state = nightly_replenishment(source=str(folder), as_of=scenario.last, return_state=True)
    assert state.is_completed(), state.message
    items = pd.read_csv(folder / "items.csv")
    scope = items[(items["category"] == scope_key) | (items["supplier_id"] == scope_key)]
    keys = set(zip(scope["sku"], scope["location"], strict=True))
    with scenario.services.uow() as uow:
        run_id = uow.session.scalar(select(Forecast.run_id).order_by(Forecast.id.desc()).limit(1))
        rows = uow.session.execute(select(Forecast.sku, Forecast.location, Forecast.service_level)
                                   .where(Forecast.run_id == run_id)).all()  # fmt: skip
    return {(sku, loc): level for sku, loc, level in rows if (sku, loc) in keys}


# --- The value page on the review server, as a business owner and an administrator ---

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def server(scenario: Scenario) -> Iterator[str]:
    svc = scenario.services
    context = ReviewContext(uow=svc.uow, links=svc.links, policy=svc.settings.approvals,
                            value_report=scenario.report)  # fmt: skip
    with serving(create_app(context)) as base:
        yield base


def _link(scenario: Scenario, base: str, person: str) -> str:
    svc = scenario.services
    link = value_link(svc.links, svc.settings.approvals, ADMIN, person, utcnow(), 14)
    return base + link.removeprefix(svc.links.base_url)


def _audit_rows(scenario: Scenario) -> int:
    with scenario.services.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(AuditRecord)) or 0)


def _proposal(scenario: Scenario) -> int:
    with scenario.services.uow() as uow:
        row = ParameterProposal(scope="category", scope_key="Cleaning", parameter="service_level",
                                current_value=0.95, proposed_value=0.97, direction="up",
                                reason="made by the test", status="proposed",
                                created_at=utcnow())  # fmt: skip
        uow.session.add(row)
        uow.commit()
        return row.id


def test_only_an_administrator_mints_the_link(scenario: Scenario) -> None:
    svc = scenario.services
    with pytest.raises(NotForYou):
        value_link(svc.links, svc.settings.approvals, OWNER, OWNER, utcnow(), 14)


def test_the_page_shows_and_changes_nothing_and_refuses_other_links(
    scenario: Scenario, server: str
) -> None:
    link = _link(scenario, server, OWNER)
    before = _audit_rows(scenario)
    page = httpx.get(link, timeout=120)
    assert page.status_code == 200
    assert "What the nights were worth" in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    assert "<script" not in page.text
    assert "style=" not in page.text
    assert "Accept</button>" not in page.text  # the owner is no administrator
    assert _audit_rows(scenario) == before
    svc = scenario.services
    digest = svc.links.digest_link(OWNER, utcnow() + timedelta(days=1)).rsplit("/", 1)[1]
    expired = svc.links.value_link(OWNER, datetime(2026, 1, 1, tzinfo=UTC)).rsplit("/", 1)[1]
    token = link.rsplit("/", 1)[1]
    for bad, status in ((digest, 403), (token[:-2] + "xx", 403), (expired, 410)):
        refused = httpx.get(f"{server}/value/{bad}", timeout=30)
        assert refused.status_code == status
        assert "What the nights were worth" not in refused.text
    posted = httpx.post(f"{link}/proposals/{_proposal(scenario)}", data={"decision": "accept"})
    assert posted.status_code == 403  # no CSRF value: not from the page
    assert _audit_rows(scenario) == before  # refused: nothing decided, nothing audited


@pytest.mark.browser
def test_an_administrator_accepts_a_proposal_in_the_browser(
    scenario: Scenario, server: str
) -> None:
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium (Debian's chromium package)")
    from playwright.sync_api import sync_playwright

    proposal = _proposal(scenario)
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                             args=["--no-sandbox", "--disable-gpu"])  # fmt: skip
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.goto(_link(scenario, server, OWNER), timeout=120_000)
            assert page.locator("h1").inner_text().startswith("What the nights were worth")
            assert page.locator(".chart svg rect").count() > NIGHTS
            page.screenshot(path=str(ARTIFACTS / "value-page-owner.png"), full_page=True)
            page.goto(_link(scenario, server, ADMIN), timeout=120_000)
            page.locator(f'form[action$="/proposals/{proposal}"] button', has_text="Accept").click()
            page.wait_for_load_state()
            assert f"accepted by {ADMIN}" in page.locator(f"#proposal-{proposal}").inner_text()
            page.screenshot(path=str(ARTIFACTS / "value-page-accepted.png"), full_page=True)
        finally:
            browser.close()
    assert problems == []  # no CSP violation, no broken resource
    with scenario.services.uow() as uow:
        stored = uow.session.get(ParameterProposal, proposal)
        assert stored is not None
        assert (stored.status, stored.decided_by) == ("accepted", ADMIN)
