"""No review e-mail for orders that wait in the ERP: with approval inside the ERP the
approvers decide there, so a link to our review page would invite a second decision.
Who gets mail is decided in `services.notifications`; whether the ERP approves, from the
settings (`flows.notify.approval_in_erp`). SQLite and the outbox, no Tryton needed."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from order_factory import pending_order, uow_factory
from sqlalchemy import Engine

from approvals.links import ReviewLinks
from flows.notify import approval_in_erp
from integrations.email.outbox import OutboxMailer
from replenish.bootstrap import build
from services.notifications import notify_reviewers
from services.review_mail import ReviewMailing
from settings import load_settings

MAILING = ReviewMailing(
    "replenish@x", "buyer@example.com", 24, ReviewLinks("wait-mail-secret-" + "w" * 16, "http://r")
)


@pytest.mark.parametrize(("erp_approves", "review_mails"), [(True, 0), (False, 1)])
def test_orders_waiting_in_the_erp_get_no_review_mail(
    engine: Engine, tmp_path: Path, erp_approves: bool, review_mails: int
) -> None:
    uows = uow_factory(engine)
    key = pending_order(uows, review_notified_at=None, approver=f"{uuid.uuid4().hex}@x.test")
    outbox = tmp_path / "outbox"
    run_id = uuid.uuid4().hex
    with uows() as uow:
        uow.runs.start(run_id, date(2026, 11, 25), "/data", datetime.now(UTC), None)
        uow.commit()

    notify_reviewers(
        uows, OutboxMailer(outbox), MAILING, run_id=run_id,
        as_of=date(2026, 11, 25), notices={}, review_requests=not erp_approves,
    )  # fmt: skip

    mails = [p.read_text() for p in outbox.glob("*.eml")] if outbox.exists() else []
    assert len([m for m in mails if key in m]) == review_mails
    with uows() as uow:  # still "not told": switching back to our review page mails it then
        still_unnotified = key in {po.po_key for po in uow.reviews.not_yet_notified()}
    assert still_unnotified is erp_approves


@pytest.mark.parametrize(
    ("adapter", "approval", "expected"),
    [("tryton", "erp", True), ("tryton", "replenish", False), ("file_drop", "erp", False)],
)
def test_the_erp_approves_only_when_tryton_is_set_to(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, adapter: str, approval: str, expected: bool
) -> None:
    monkeypatch.setenv("REPLENISH_DATABASE_URL", f"sqlite:///{tmp_path / 'r.db'}")
    monkeypatch.setenv("REPLENISH_ERP__ADAPTER", adapter)
    monkeypatch.setenv("REPLENISH_ERP__TRYTON__APPROVAL", approval)
    monkeypatch.setenv("REPLENISH_ERP__TRYTON__PASSWORD", "not-used-here")
    services = build(load_settings())
    try:
        assert approval_in_erp(services) is expected
    finally:
        services.engine.dispose()
