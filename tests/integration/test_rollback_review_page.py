"""After a rollback, the review link of a withdrawn order stops working: GET, HEAD and
POST all show a clear "withdrawn" page (410) saying who took it back, when and why,
without the order's data, and nothing changes (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import DATABASES
from order_factory import pending_order
from rollback_night import fresh_database
from sqlalchemy import func, select
from starlette.testclient import TestClient

from approvals.links import ReviewLinks
from approvals.policy import RoutingPolicy
from integrations.email.outbox import OutboxMailer
from integrations.erp.file_drop import FileDropErp
from services.rollback import RollbackMailing, RollbackRequest, roll_back_night
from storage.models import AuditRecord, Decision, PurchaseOrder
from storage.unit_of_work import UnitOfWork
from web.app import ReviewContext, create_app

SECRET = "rollback-review-test-secret-" + "w" * 12
ADMIN = "it.admin@example.com"


@pytest.fixture(params=DATABASES)
def uows(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], UnitOfWork]]:
    """Its own database: the rollback sends the whole mail queue, not other tests' mail."""
    with fresh_database(request.param, tmp_path) as factory:
        yield factory


def test_a_withdrawn_orders_link_shows_a_withdrawn_page_and_changes_nothing(
    uows: Callable[[], UnitOfWork], tmp_path: Path
) -> None:
    key = pending_order(uows)  # routed to ann@example.com
    with uows() as uow:
        order = uow.orders.get(key)
        assert order is not None
        run_id = order.run_id
        uow.runs.finish(run_id, "succeeded", "completed", {}, datetime.now(UTC))
        uow.commit()
    links = ReviewLinks(SECRET, "http://review.test")
    app = create_app(ReviewContext(uow=uows, links=links, policy=RoutingPolicy()))
    path = links.order_link("ann@example.com", key, datetime.now(UTC) + timedelta(hours=24))
    path = path.removeprefix(links.base_url)
    with TestClient(app, base_url="http://review.test", follow_redirects=False) as client:
        roll_back_night(
            uows, FileDropErp(tmp_path / "erp-drop"), OutboxMailer(tmp_path / "outbox"),
            RollbackRequest(run_id, "wrong supplier file", ADMIN, "cli"),
            administrators=[ADMIN],
            mailing=RollbackMailing("r@example.com", "ops@example.com", "buyer@example.com"),
        )  # fmt: skip
        before = counts(uows, key)

        token = path.rsplit("/", 1)[-1]
        form = {"csrf": links.csrf_token(token), "decision": "approve"}
        answers = [client.get(path), client.head(path), client.post(path, data=form)]

    assert [a.status_code for a in answers] == [410, 410, 410]
    page = answers[0].text
    assert "This order was withdrawn" in page
    assert f"by {ADMIN} (rolled back: wrong supplier file)" in page
    assert "SKU-1" not in page  # the order's data is not shown any more
    assert "Nothing was changed" in page
    assert counts(uows, key) == before == ("withdrawn", 0, before[2])


def counts(uows: Callable[[], UnitOfWork], key: str) -> tuple[str, int, int]:
    with uows() as uow:
        po = uow.session.scalar(select(PurchaseOrder).where(PurchaseOrder.po_key == key))
        assert po is not None
        decisions = uow.session.scalar(
            select(func.count(Decision.id)).where(Decision.purchase_order_id == po.id)
        )
        audits = uow.session.scalar(
            select(func.count(AuditRecord.id)).where(AuditRecord.entity_key == key)
        )
        return str(po.status), int(decisions or 0), int(audits or 0)
