"""A buyer's two clicks, with real parts: the nightly run e-mails a real SMTP server on
loopback, the link is taken from the message received, headless Chromium opens it,
changes one quantity and approves; the database holds one decision with that quantity,
and `replenish submit` sends the order to the ERP once.

Skipped only when Debian's /usr/bin/chromium is absent (CI installs it). The screenshots
go to test-artifacts/ (ignored by git) for a person to look at.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from flow_night import flow_night, sample_data
from smtp_inbox import Inbox, free_port, plain_text, smtp_server
from sqlalchemy import select

from storage.database import make_engine, session_factory
from storage.models import Decision, PurchaseOrder

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
AS_OF = "2026-11-25"
BIN = Path(sys.executable).parent
BUYER = "buyer@example.com"


@pytest.fixture(scope="module")
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    with smtp_server(handler) as port:
        yield handler, port


def replenish(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "replenish"), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300, check=False)  # fmt: skip


@pytest.fixture(scope="module")
def night(
    tmp_path_factory: pytest.TempPathFactory, inbox: tuple[Inbox, int], prefect_server: str
) -> tuple[Path, dict[str, str], int]:
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium (Debian's chromium package; .ci/run installs it)")
    workdir = tmp_path_factory.mktemp("browser")
    web_port = free_port()
    base = {k: v for k, v in os.environ.items() if not k.startswith("REPLENISH_")}
    env = {
        **base,
        "PREFECT_HOME": str(tmp_path_factory.mktemp("prefect-home")),
        "PREFECT_API_URL": prefect_server,  # the session's server, not one per command
        "PREFECT_LOGGING_LEVEL": "WARNING", "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "REPLENISH_DATABASE_URL": f"sqlite:///{workdir / 'replenish.db'}",
        "REPLENISH_EMAIL__TRANSPORT": "smtp", "REPLENISH_EMAIL__SMTP_HOST": "127.0.0.1",
        "REPLENISH_EMAIL__SMTP_PORT": str(inbox[1]),
        "REPLENISH_REVIEW_BASE_URL": f"http://127.0.0.1:{web_port}",
        "REPLENISH_REVIEW__SECRET": secrets.token_urlsafe(48),
    }  # fmt: skip
    # The night runs in this process (flow_night), with the settings the commands get, and
    # e-mails the SMTP server all the same: the test is about the e-mail, the page and
    # `replenish submit`; test_cli_run.py runs the `run` command as an operator does.
    sample_data(workdir, AS_OF, items=30, seed=3)
    variables = {k: v for k, v in env.items() if k.startswith("REPLENISH_")}
    assert flow_night(workdir, AS_OF, **variables)["orders"]["pending_review"] >= 1
    return workdir, env, web_port


@pytest.fixture(scope="module")
def review_server(night: tuple[Path, dict[str, str], int]) -> Iterator[str]:
    workdir, env, port = night
    process = subprocess.Popen(
        [str(BIN / "replenish"), "review-server", "--port", str(port)],
        cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read() if process.stdout else ""
                pytest.fail(f"the review server did not start: {output}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def _pack(page: Any, index: int) -> Decimal:
    """The pack size of the page's line `index` (1-based), from its terms sentence."""
    text = page.locator(f"#line-{index} .terms").inner_text()
    found = re.search(r"packs of ([\d,.]+)", text)
    assert found, text
    return Decimal(found[1].replace(",", ""))


def _no_horizontal_scroll(page: Any, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page is {scroll} px wide at a {width} px screen"


def test_a_buyer_changes_a_quantity_and_approves_in_the_browser(
    night: tuple[Path, dict[str, str], int], inbox: tuple[Inbox, int], review_server: str
) -> None:
    """A part pack is refused and never sent; a whole-pack change shows its new values
    before Approve; the decision shows the comment; header and digest agree on money at
    stake; at 390 px nothing scrolls sideways."""
    from playwright.sync_api import sync_playwright

    workdir, env, _ = night
    mails = [m for m in inbox[0].messages if BUYER in str(m["To"])]
    assert len(mails) == 1  # one e-mail for the buyer, whatever the number of orders
    text = plain_text(mails[0])
    links = re.findall(rf"{re.escape(review_server)}/orders/(\S+)/(\S+)", text)
    assert links, text
    digest_link = re.findall(rf"{re.escape(review_server)}/digest/\S+", text)[0]
    html = mails[0].get_body(("html",))
    assert html is not None

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            mail_page = browser.new_page(viewport={"width": 900, "height": 700})
            mail_page.set_content(html.get_content())
            mail_page.screenshot(path=str(ARTIFACTS / "review-mail.png"), full_page=True)

            page = browser.new_page(viewport={"width": 1100, "height": 900})
            # An order with a line sold in packs, to break the pack on purpose.
            key, sku, index, pack = "", "", 0, Decimal(1)
            for key, token in links:
                page.goto(f"{review_server}/orders/{key}/{token}")
                fields = page.locator('input[name^="qty:"]')
                for i in range(fields.count()):
                    pack = _pack(page, i + 1)
                    if pack > 1:
                        index = i + 1
                        sku = (fields.nth(i).get_attribute("name") or "").removeprefix("qty:")
                        break
                if index:
                    break
            assert index, "no line sold in packs in the e-mailed orders"
            link = page.url
            header = page.locator("#money-at-stake").inner_text()
            page.screenshot(path=str(ARTIFACTS / "review-page.png"), full_page=True)

            # The digest says the same money at stake as the page's header.
            page.goto(digest_link)
            row = page.locator("tr", has=page.locator(f"text={key}"))
            assert row.locator(".stake-cell").inner_text().strip() == header.split(" (")[0]
            page.set_viewport_size({"width": 390, "height": 800})
            _no_horizontal_scroll(page, 390)
            page.screenshot(path=str(ARTIFACTS / "digest-390.png"), full_page=True)

            page.goto(link)
            _no_horizontal_scroll(page, 390)
            page.screenshot(path=str(ARTIFACTS / "review-page-390.png"), full_page=True)
            page.set_viewport_size({"width": 1100, "height": 900})

            # Half a pack more: refused with the rule, nothing decided.
            field_ = page.locator(f'input[name="qty:{sku}"]')
            proposed = Decimal(field_.input_value())
            field_.fill(str(proposed + pack / 2))
            page.click("button[value=approve]")
            page.wait_for_selector("#review-changes")
            refusal = page.locator("#review-changes").inner_text()
            assert f"is not a whole number of packs of {pack:f}" in refusal
            assert "nothing was decided" in refusal
            page.screenshot(path=str(ARTIFACTS / "review-page-part-pack.png"), full_page=True)
            assert page.locator("button[value=approve]").count() == 1  # still undecided

            # One pack more: "Review changes" shows the new values, then Approve.
            changed = proposed + pack
            field_ = page.locator(f'input[name="qty:{sku}"]')
            field_.fill(str(changed))
            page.fill("#comment", "one more pack, the promotion starts early")
            page.click("button[value=review]")
            page.wait_for_selector("#new-value")
            step = page.locator("#review-changes").inner_text()
            assert f"{sku}: {proposed:f} proposed" in step
            assert "Nothing is decided yet" in step
            page.screenshot(path=str(ARTIFACTS / "review-page-review-step.png"), full_page=True)
            page.click("button[value=approve]")
            page.wait_for_selector("#decisions")
            decided = page.locator("#decisions").inner_text()
            assert f"Approved by {BUYER}" in decided
            assert "one more pack, the promotion starts early" in decided
            page.screenshot(path=str(ARTIFACTS / "review-page-decided.png"), full_page=True)
        finally:
            browser.close()

    engine = make_engine(env["REPLENISH_DATABASE_URL"])
    try:
        with session_factory(engine)() as session:
            po = session.scalar(select(PurchaseOrder).where(PurchaseOrder.po_key == key))
            assert po is not None
            assert po.status == "approved"
            decisions = session.scalars(
                select(Decision).where(Decision.purchase_order_id == po.id)
            ).all()
            assert [(d.decided_by, d.outcome, d.channel) for d in decisions] == [
                (BUYER, "approved", "review-page")
            ]
            quantities = {line.sku: line.approved_quantity for line in po.lines}
            assert quantities[sku] == changed
    finally:
        engine.dispose()

    sent = replenish("submit", cwd=workdir, env=env)
    assert sent.returncode == 0, sent.stderr
    assert "1 new" in sent.stdout
    assert key in sent.stdout
    order = json.loads((workdir / "erp-drop" / f"{key}.json").read_text())
    ordered = {line["sku"]: Decimal(str(line["quantity"])) for line in order["lines"]}
    assert ordered[sku] == changed  # whole packs: the part pack never reached the ERP
    assert all(q % pack == 0 for s, q in ordered.items() if s == sku)
    again = replenish("submit", cwd=workdir, env=env)
    assert "0 new" in again.stdout  # exactly once


def test_links_are_minted_only_for_the_routed_people(
    night: tuple[Path, dict[str, str], int],
) -> None:
    workdir, env, port = night
    listed = replenish("review", "list", "--json", cwd=workdir, env=env)
    key = json.loads(listed.stdout)[0]["po_key"]
    mine = replenish("review", "link", key, "--for", BUYER, cwd=workdir, env=env)
    assert mine.returncode == 0, mine.stderr
    assert mine.stdout.startswith(f"http://127.0.0.1:{port}/orders/{key}/")
    stranger = replenish("review", "link", key, "--for", "eve@example.com", cwd=workdir, env=env)
    assert stranger.returncode == 3
    assert "not routed to eve@example.com" in stranger.stderr
    digest = replenish("review", "link", "--for", BUYER, cwd=workdir, env=env)
    assert digest.stdout.startswith(f"http://127.0.0.1:{port}/digest/")
