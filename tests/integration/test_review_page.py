"""The review page over HTTP, on SQLite and PostgreSQL: GET and HEAD only show, a POST
decides once with the page's CSRF value, and every bad link changes nothing and shows
no order data.

Most checks drive the ASGI app in-process through httpx (Starlette's TestClient); the
real-socket tests serve it with uvicorn on a loopback port, and the race of 20
concurrent POSTs runs there, on PostgreSQL, where row locks are real.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from select import select as ready_sockets
from typing import Any

import httpx
import pytest
from live_server import serving
from order_factory import uow_factory
from sqlalchemy import Engine, func, select
from starlette.testclient import TestClient

from approvals.links import ReviewLinks
from approvals.policy import RoutingPolicy
from domain.lifecycle import OrderStatus
from storage.models import AuditRecord, Decision
from storage.orders import Actor
from storage.unit_of_work import UnitOfWork
from web.app import ReviewContext, create_app
from web.security import CONTENT_SECURITY_POLICY

SECRET = "review-page-test-secret-" + "k" * 16
ANN, BOB, ADMIN, EVE = "ann@example.com", "bob@example.com", "it.admin@example.com", "eve@x.test"
NIGHT = Actor("nightly-run", "prefect")
SUPPLIER = "Acme <Fasteners> & Sons"  # escaped on the page, never markup


@dataclass
class Review:
    uows: Callable[[], UnitOfWork]
    links: ReviewLinks
    client: TestClient
    app: Any
    key: str
    due: datetime

    def url(self, person: str = ANN, key: str | None = None) -> str:
        return self.links.order_link(person, key or self.key, self.due)

    def path(self, person: str = ANN, key: str | None = None) -> str:
        return self.url(person, key).removeprefix(self.links.base_url)

    def form(self, path: str, **fields: str) -> dict[str, str]:
        token = path.rsplit("/", 1)[-1]
        return {"csrf": self.links.csrf_token(token), **fields}


def waiting_order(uows: Callable[[], UnitOfWork], due: datetime, **routing: Any) -> str:
    key = f"RPL-20261125-SUP-{uuid.uuid4().hex[:10].upper()}-DC"
    with uows() as uow:
        run_id = uuid.uuid4().hex
        uow.runs.start(run_id, date(2026, 11, 25), "/data", datetime.now(UTC), None)
        order = {
            "po_key": key, "supplier_id": "SUP-01", "supplier_name": SUPPLIER,
            "location": "DC-NORTH", "order_date": date(2026, 11, 25),
            "expected_delivery": date(2026, 12, 5), "currency": "EUR",
            "value": Decimal("1500.00"), "approver": ANN, "deputy": BOB,
            "decision_due_at": due, "review_notified_at": datetime.now(UTC), **routing,
        }  # fmt: skip
        lines = [_line("SKU-1", "24", "1000.00"), _line("SKU-2", "10", "500.00")]
        flags = [
            _flag("SKU-2", "NEW_ITEM", "New item: <b>check</b> the quantity.", "500.00"),
            _flag("SKU-1", "LARGE_LINE_VALUE", "Line worth more than the limit.", "1000.00"),
        ]
        uow.orders.add_proposal(run_id, order, lines, flags, NIGHT)
        uow.orders.transition(key, OrderStatus.PENDING_REVIEW, NIGHT, reason="flags")
        uow.commit()
    return key


def _line(sku: str, quantity: str, value: str) -> dict[str, Any]:
    return {
        "sku": sku, "location": "DC-NORTH", "proposed_quantity": Decimal(quantity),
        "unit_cost": Decimal(value) / Decimal(quantity), "line_value": Decimal(value),
        "explanation": f"Expect demand for {sku}.", "details": {"position": 3.0, "target": 27.0},
    }  # fmt: skip


def _flag(sku: str, code: str, message: str, stake: str) -> dict[str, Any]:
    return {"sku": sku, "location": "DC-NORTH", "code": code, "severity": "warning",
            "message": message, "money_at_stake": Decimal(stake)}  # fmt: skip


@pytest.fixture
def review(engine: Engine) -> Iterator[Review]:
    uows = uow_factory(engine)
    links = ReviewLinks(SECRET, "http://review.test")
    policy = RoutingPolicy(administrators=["IT.Admin@example.com"])
    app = create_app(ReviewContext(uow=uows, links=links, policy=policy))
    due = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=24)
    key = waiting_order(uows, due)
    with TestClient(app, base_url="http://review.test", follow_redirects=False) as client:
        yield Review(uows, links, client, app, key, due)


def state(review: Review, key: str | None = None) -> tuple[str, int, int, list[Any]]:
    """Status, decisions, audit records and line quantities: what a request might change."""
    with review.uows() as uow:
        po = uow.orders.get(key or review.key)
        assert po is not None
        decisions = uow.session.scalar(
            select(func.count(Decision.id)).where(Decision.purchase_order_id == po.id)
        )
        audits = uow.session.scalar(
            select(func.count(AuditRecord.id)).where(AuditRecord.entity_key == po.po_key)
        )
        return (
            po.status,
            int(decisions or 0),
            int(audits or 0),
            [ln.approved_quantity for ln in po.lines],
        )


def assert_no_order_data(response: httpx.Response, review: Review) -> None:
    body = response.text
    for secret in (review.key, "Acme", "SKU-1", "1,500.00", "NEW_ITEM"):
        assert secret not in body
    assert "Nothing was changed" in body


def test_get_and_head_show_the_order_and_change_nothing(review: Review) -> None:
    before = state(review)
    page = review.client.get(review.path())
    assert page.status_code == 200
    body = page.text
    assert "Acme &lt;Fasteners&gt; &amp; Sons" in body  # escaped, never markup
    assert "New item: &lt;b&gt;check&lt;/b&gt;" in body
    # What holds the order first (a new item), what only informs under its own heading.
    assert body.index("Why it waits for you") < body.index("New item, little or no sales history")
    assert body.index("New item, little or no sales history") < body.index("Also worth knowing")
    assert body.index("Also worth knowing") < body.index("A line of high value")
    assert "EUR 1,500.00" in body
    assert "DC-NORTH" in body
    assert f"{review.due:%a %d %b %Y, %H:%M} UTC" in body
    assert "<script" not in body
    assert 'href="../../review.css"' in body  # relative: works under a proxy's path prefix
    assert 'name="qty:SKU-1"' in body
    assert 'name="csrf"' in body
    assert review.client.head(review.path()).status_code == 200
    digest = review.client.get(review.links.digest_link(ANN, review.due).removeprefix(
        review.links.base_url))  # fmt: skip
    assert digest.status_code == 200
    assert review.key in digest.text
    assert review.client.head(review.links.digest_link(ANN, review.due)).status_code == 200
    assert state(review) == before


def test_security_headers_are_on_every_response(review: Review) -> None:
    responses = [
        review.client.get(review.path()),
        review.client.head(review.path()),
        review.client.get("/no/such/page"),
        review.client.post(review.path(), data={"decision": "approve"}),
        review.client.get("/review.css"),
    ]
    for response in responses:
        headers = response.headers
        assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert "default-src 'none'" in headers["content-security-policy"]
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-frame-options"] == "DENY"
        assert headers["cache-control"] == "no-store"


def test_a_post_without_the_pages_csrf_value_changes_nothing(review: Review) -> None:
    before = state(review)
    path = review.path()
    missing = review.client.post(path, data={"decision": "approve"})
    wrong = review.client.post(path, data={"decision": "approve", "csrf": "0" * 64})
    # the CSRF value of another link's page does not fit this one
    other = review.form(review.path(BOB), decision="approve")
    borrowed = review.client.post(path, data=other)
    assert [r.status_code for r in (missing, wrong, borrowed)] == [403, 403, 403]
    assert "did not come from the review page" in missing.text
    assert state(review) == before


@pytest.mark.parametrize("method", ["GET", "HEAD", "POST"])
def test_tampered_expired_and_foreign_links_change_nothing_and_show_nothing(
    review: Review, method: str
) -> None:
    path = review.path()
    token = path.rsplit("/", 1)[-1]
    other_key = waiting_order(review.uows, review.due)
    past = datetime.now(UTC) - timedelta(minutes=1)
    other_secret = ReviewLinks("another-installation-secret-xx", review.links.base_url)
    cases = {
        "tampered": path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB"),
        "payload edited": path.replace(token, token.replace(".", "x.", 1)),
        "expired": review.path().replace(token, review.links.order_token(ANN, review.key, past)),
        "other order's token": path.replace(token, review.links.order_token(ANN, other_key,
                                                                            review.due)),
        "other secret": other_secret.order_link(ANN, review.key, review.due).removeprefix(
            review.links.base_url),
        "digest token": path.replace(token, review.links.digest_token(ANN, review.due)),
        "not routed": review.path(EVE),
    }  # fmt: skip
    before = state(review)
    for name, bad in cases.items():
        data = {"decision": "approve", "csrf": review.links.csrf_token(bad.rsplit("/", 1)[-1])}
        response = review.client.request(method, bad, data=data if method == "POST" else None)
        assert response.status_code in (403, 410), name
        if method != "HEAD":
            assert_no_order_data(response, review)
    assert state(review) == before
    expired = review.client.get(cases["expired"])
    assert expired.status_code == 410
    assert "expired" in expired.text


def test_a_decision_is_a_post_from_the_page_taken_once(review: Review) -> None:
    path = review.path()
    before = state(review)
    form = review.form(path, decision="approve", comment="fine", **{"qty:SKU-1": "12"})
    # A changed quantity is shown with its new values first: nothing is decided yet.
    step = review.client.post(path, data=form)
    assert step.status_code == 200
    assert "Review your changes" in step.text
    assert "EUR 500.00" in step.text  # 12 x 41.6667, the line's new value
    assert 'EUR 1,500.00 &rarr; <strong id="new-value">EUR 1,000.00' in step.text
    assert 'name="reviewed" value="SKU-1=12"' in step.text
    assert ">fine</textarea>" in step.text  # the comment is kept through the step
    assert state(review) == before
    first = review.client.post(path, data=form | {"reviewed": "SKU-1=12"})
    assert first.status_code == 303
    shown = review.client.get(path)
    assert f"<strong>Approved</strong> by {ANN} on" in shown.text
    assert "SKU-1 24 &rarr; <strong>12</strong>" in shown.text  # the quantity set
    assert ">fine</blockquote>" in shown.text  # and the comment
    assert 'name="csrf"' not in shown.text  # no form once decided
    status, decisions, audits, quantities = state(review)
    assert (status, decisions, quantities) == ("approved", 1, [Decimal("12"), None])
    again = review.client.post(path, data=review.form(path, decision="reject"))
    assert again.status_code == 409
    assert f"already approved by {ANN} on" in again.text
    assert state(review) == (status, decisions, audits, quantities)


def test_a_malformed_decision_is_explained_and_changes_nothing(review: Review) -> None:
    before = state(review)
    path = review.path()
    for fields in ({"decision": "maybe"}, {"decision": "approve", "qty:SKU-1": "ten"},
                   {"decision": "approve", "qty:SKU-9": "1"},
                   {"decision": "approve", "qty:SKU-1": "1e40"},
                   {"decision": "approve", "qty:SKU-1": "-1"}):  # fmt: skip
        response = review.client.post(path, data=review.form(path, **fields))
        assert response.status_code == 400
    assert state(review) == before


def test_an_administrator_decides_in_place_of_the_approver_audited(review: Review) -> None:
    path = review.path(ADMIN)
    page = review.client.get(path)
    assert page.status_code == 200
    assert "As an administrator you decide in their place" in page.text
    done = review.client.post(path, data=review.form(path, decision="reject", comment="closed"))
    assert done.status_code == 303
    with review.uows() as uow:
        last = uow.orders.audit_trail(review.key)[-1]
    assert (last.to_state, last.actor, last.channel) == ("rejected", ADMIN, "review-page")
    assert last.details is not None
    assert last.details["in_place_of"] == [ANN, BOB]


def test_the_digest_lists_waiting_orders_most_money_at_stake_first(review: Review) -> None:
    person = f"digest-{uuid.uuid4().hex[:6]}@example.com"
    small = waiting_order(review.uows, review.due, approver=person, value=Decimal("300.00"))
    big = waiting_order(review.uows, review.due, approver=person, value=Decimal("5000.00"))
    with review.uows() as uow:  # money at stake: the lines at today's quantities
        order = uow.orders.get(small)
        assert order is not None
        order.lines[0].approved_quantity = Decimal("1")  # 1,500 -> 541.67 at stake
        uow.commit()
    digest = review.client.get(review.links.digest_link(person, review.due))
    assert digest.status_code == 200
    body = digest.text
    assert body.index(big) < body.index(small)  # 1,500 at stake before 541.67
    assert "EUR 541.67" in body
    assert review.key not in body  # ann's order is not this person's


def test_a_real_socket_serves_the_page_and_takes_one_decision(review: Review) -> None:
    with serving(review.app) as base, httpx.Client(base_url=base, follow_redirects=True) as client:
        path = review.path()
        assert client.head(path).status_code == 200
        shown = client.get(path)
        assert shown.headers["referrer-policy"] == "no-referrer"
        assert state(review)[1] == 0
        decided = client.post(path, data=review.form(path, decision="approve"))
        # the relative redirect leads back to the same page, which now tells the decision
        assert decided.status_code == 200
        assert str(decided.url) == base + path
        assert f"<strong>Approved</strong> by {ANN}" in decided.text
    assert state(review)[:2] == ("approved", 1)


@pytest.mark.postgres
def test_twenty_concurrent_posts_give_exactly_one_decision(postgres_url: str) -> None:
    from storage.database import make_engine

    engine = make_engine(postgres_url, pool_size=10, max_overflow=15)
    try:
        uows = uow_factory(engine)
        links = ReviewLinks(SECRET, "http://review.test")
        app = create_app(ReviewContext(uow=uows, links=links, policy=RoutingPolicy()))
        due = datetime.now(UTC) + timedelta(hours=24)
        key = waiting_order(uows, due)
        path = links.order_link(ANN, key, due).removeprefix(links.base_url)
        form = {"csrf": links.csrf_token(path.rsplit("/", 1)[-1]), "decision": "approve"}
        with serving(app) as base:

            def post(_: int) -> int:
                with httpx.Client(base_url=base, timeout=60) as client:
                    return client.post(path, data=form).status_code

            with ThreadPoolExecutor(max_workers=20) as pool:
                codes = list(pool.map(post, range(20)))
        assert sorted(codes) == [303] + [409] * 19
        with uows() as uow:
            po = uow.orders.get(key)
            assert po is not None
            assert po.status == "approved"
            assert len(uow.orders.decisions_on(po.id)) == 1
            transitions = [r for r in uow.orders.audit_trail(key) if r.to_state == "approved"]
        assert len(transitions) == 1
    finally:
        engine.dispose()


def test_a_chunked_body_beyond_the_limit_is_refused_while_it_arrives(review: Review) -> None:
    """No Content-Length: the server counts the chunks as they come and answers 413 after
    64 KiB, long before the sender is done. (It used to read the whole body first: 400 MB
    took it from 317 to 1,102 MB.) A real socket, so nothing in between buffers the body."""
    chunk = b"comment=" + b"x" * (64 * 1024)
    huge = 256 * 1024 * 1024  # what the sender would send, if let
    path = review.path()
    with serving(review.app) as base:
        host, port = base.removeprefix("http://").split(":")
        sent = 0
        with socket.create_connection((host, int(port)), timeout=30) as conn:
            conn.sendall(
                f"POST {path} HTTP/1.1\r\nHost: {host}\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                "Transfer-Encoding: chunked\r\n\r\n".encode()
            )
            conn.setblocking(False)
            frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
            answer, pending = b"", b""
            while sent < huge and not answer:
                readable, writable, _ = ready_sockets([conn], [conn], [], 30)
                if readable:
                    answer = conn.recv(65536)
                elif writable:
                    pending = pending or frame
                    try:
                        written = conn.send(pending)
                    except BlockingIOError:
                        continue
                    pending, sent = pending[written:], sent + written
        assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
        assert sent < 32 * 1024 * 1024  # the answer came while most of the body was unsent
    assert state(review)[:2] == ("pending_review", 0)
