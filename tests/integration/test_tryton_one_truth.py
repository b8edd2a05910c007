"""Approval inside Tryton, both systems agreeing: the rights docs/erp.md gives the product's
user, a rejection here cancelling the quotation there, a confirmation there of an order
rejected here raising an operator alert, reconcile keeping waiting quotations apart.

replenish logs in as its own user (`tryton.product()`, set up as docs/erp.md says), never
as admin: admin only sets Tryton up, as an IT person would, and plays no part at night.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from email import message_from_bytes
from email import policy as email_policy
from pathlib import Path

import pytest
from order_factory import pending_order
from tryton_seed import (
    APPROVER_LOGIN,
    APPROVER_PASSWORD,
    create_approver,
    create_company,
    create_product_user,
    ensure_master_data,
)
from tryton_server import ROOT, TrytonServer, running_tryton, template_database, tryton_venv

from cli import main as cli
from domain.actors import Actor
from integrations.email.outbox import OutboxMailer
from integrations.erp.tryton import TrytonErp
from integrations.erp.tryton_rpc import TrytonRpc
from services.decisions import decide
from services.erp_approvals import sync_erp_approvals
from services.erp_readiness import erp_setup_problem
from services.erp_truth import CANCELLED_IN_ERP, AlertMailing, ErpTruth, keep_one_truth
from services.notifications import deliver_queued
from storage.database import make_engine, migrate, session_factory
from storage.unit_of_work import UnitOfWork

pytestmark = pytest.mark.tryton
ANN = Actor("ann@example.com", "review-page")
MAILING = AlertMailing(sender="replenish@example.com", operator="ops@example.com")


@pytest.fixture
def uow(tmp_path: Path) -> Callable[[], UnitOfWork]:
    engine = make_engine(f"sqlite:///{tmp_path / 'replenish.db'}")
    migrate(engine)
    sessions = session_factory(engine)
    return lambda: UnitOfWork(sessions)


def one_pass(uow: Callable[[], UnitOfWork], erp: TrytonErp, outbox: Path) -> ErpTruth:
    """What the submit stage does with approval in the ERP, before submitting."""
    sync_erp_approvals(uow, erp)
    mailer = OutboxMailer(outbox)
    return keep_one_truth(uow, erp, MAILING, lambda: deliver_queued(uow, mailer, None))


def purchase(rpc: TrytonRpc, key: str) -> tuple[int, str]:
    [row] = rpc.model("purchase.purchase", "search_read", [("reference", "=", key)],
                      0, None, None, ["state"])  # fmt: skip
    return int(row["id"]), str(row["state"])


def approver(server: TrytonServer) -> TrytonRpc:
    return TrytonRpc(server.url, server.database, APPROVER_LOGIN, APPROVER_PASSWORD)


def alerts(outbox: Path) -> list[tuple[str, str, str]]:
    """(file name, subject, body) of every e-mail written to the outbox."""
    found = []
    for path in sorted(outbox.glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=email_policy.default)
        body = message.get_body(("plain",))
        found.append((path.name, str(message["Subject"]), body.get_content() if body else ""))
    return found


def test_the_documented_rights_are_enough_and_a_missing_one_stops_the_night_by_name(
    tryton: TrytonServer,
) -> None:
    admin = tryton.admin()
    ensure_master_data(admin, {"SUP-01"}, {"SKU-1"}, {"DC-NORTH"})
    for approval in ("replenish", "erp"):
        erp = TrytonErp(tryton.product(), approval=approval)
        assert erp.setup_problems({"SUP-01"}, {"SKU-1"}, {"DC-NORTH"}) == []
        assert erp_setup_problem(erp) is None

    # A user set up as the README once said (the Purchase group only): named, not silent.
    login = f"buyer-{uuid.uuid4().hex[:6]}"
    company = admin.context()["company"]
    purchase_group = admin.model("res.group", "search", [("name", "=", "Purchase")], 0, 1, None)
    user = {"name": "Only Purchase", "login": login, "password": "only-purchase-1",
            "groups": [["add", purchase_group]], "companies": [["add", [company]]],
            "company": company}  # fmt: skip
    admin.model("res.user", "create", [user])
    short = TrytonErp(TrytonRpc(tryton.url, tryton.database, login, "only-purchase-1"),
                      approval="erp")  # fmt: skip
    [problem] = short.setup_problems(set(), set(), set())
    assert f"Tryton user {login!r} may not press Confirm on purchases" in problem
    assert "'Purchase Approval'" in problem
    stop = erp_setup_problem(short)
    assert stop is not None
    assert stop.startswith("the tryton ERP is not set up for replenish")

    missing = TrytonErp(tryton.product()).setup_problems({"SUP-NOWHERE"}, {"SKU-GONE"}, {"XX"})
    assert missing == [
        "supplier 'SUP-NOWHERE': Tryton has no party with code 'SUP-NOWHERE'",
        "item 'SKU-GONE': Tryton has no product with code 'SKU-GONE'",
        "location 'XX': Tryton has no warehouse with code 'XX'",
    ]


def test_a_rejection_here_cancels_the_quotation_in_tryton_once_and_a_later_confirmation_alerts(
    tryton: TrytonServer, uow: Callable[[], UnitOfWork], tmp_path: Path
) -> None:
    ensure_master_data(tryton.admin(), {"SUP-01"}, {"SKU-1", "SKU-2"}, {"DC-NORTH"})
    erp = TrytonErp(tryton.product(), approval="erp")
    key = pending_order(uow)
    one_pass(uow, erp, tmp_path / "outbox")
    assert purchase(tryton.admin(), key)[1] == "quotation"

    decide(uow, key, "reject", ANN, "not this month")
    first = one_pass(uow, erp, tmp_path / "outbox")
    second = one_pass(uow, erp, tmp_path / "outbox")

    assert (first.cancelled, second.cancelled) == ([key], [])
    purchase_id, state = purchase(tryton.admin(), key)
    assert state == "cancelled"
    with uow() as work:
        notes = [r for r in work.orders.audit_trail(key) if r.action == CANCELLED_IN_ERP]
        assert work.orders.statuses([key]) == {key: "rejected"}
    assert len(notes) == 1
    assert "rejected by ann@example.com via review-page" in notes[0].reason
    assert alerts(tmp_path / "outbox") == []

    # An approver in Tryton puts the cancelled purchase back and confirms it anyway.
    them = approver(tryton)
    for button in ("draft", "quote", "confirm"):
        them.model("purchase.purchase", button, [purchase_id])
    third = one_pass(uow, erp, tmp_path / "outbox")
    fourth = one_pass(uow, erp, tmp_path / "outbox")

    assert [v.po_key for v in third.confirmed_despite] == [key]
    assert fourth.confirmed_despite == []  # once
    [(name, subject, body)] = alerts(tmp_path / "outbox")
    assert not name.startswith("-")
    assert subject == f"replenish: {key} is rejected here but confirmed in tryton"
    assert "confirmed by Ann Approver (approver) at 20" in body
    assert "rejected by ann@example.com via review-page" in body
    with uow() as work:
        assert work.orders.statuses([key]) == {key: "rejected"}  # a person settles it


def test_a_quotation_confirmed_before_the_rejection_reached_tryton_alerts_at_once(
    tryton: TrytonServer, uow: Callable[[], UnitOfWork], tmp_path: Path
) -> None:
    ensure_master_data(tryton.admin(), {"SUP-01"}, {"SKU-1", "SKU-2"}, {"DC-NORTH"})
    erp = TrytonErp(tryton.product(), approval="erp")
    key = pending_order(uow)
    one_pass(uow, erp, tmp_path / "outbox")
    decide(uow, key, "reject", ANN, "too much")
    approver(tryton).model("purchase.purchase", "confirm", [purchase(tryton.admin(), key)[0]])

    truth = one_pass(uow, erp, tmp_path / "outbox")

    assert truth.cancelled == []
    assert [(v.po_key, v.decided_by) for v in truth.confirmed_despite] == [(key, APPROVER_LOGIN)]
    with uow() as work:
        [note] = [r for r in work.orders.audit_trail(key) if r.action == CANCELLED_IN_ERP]
    assert note.details is not None
    assert note.details["outcome"] == "too_late"
    [(_, subject, _)] = alerts(tmp_path / "outbox")
    assert key in subject


@pytest.fixture
def fresh_tryton(tmp_path: Path) -> Iterator[TrytonServer]:
    """A Tryton database of its own (reconcile lists every purchase under our keys), set
    up as docs/erp.md says: company, approver group and approver, the product's user."""
    venv = tryton_venv()
    if venv is None:
        pytest.skip("no Tryton: `make test` builds it and sets REPLENISH_TEST_TRYTON_VENV")
    template = template_database(venv, ROOT / ".tryton")
    with running_tryton(venv, template, tmp_path / "tryton") as server:
        admin = server.admin()
        company = create_company(admin)
        create_approver(admin, company)
        create_product_user(admin, company)
        ensure_master_data(admin, {"SUP-01"}, {"SKU-1", "SKU-2"}, {"DC-NORTH"})
        yield server


@pytest.mark.slow  # a Tryton database of its own: about 25 s
def test_reconcile_counts_waiting_quotations_apart_and_ranks_a_real_difference_first(
    fresh_tryton: TrytonServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    database = tmp_path / "replenish.db"
    for name, value in {
        "REPLENISH_DATABASE_URL": f"sqlite:///{database}",
        "REPLENISH_ERP__ADAPTER": "tryton",
        "REPLENISH_ERP__TRYTON__URL": fresh_tryton.url,
        "REPLENISH_ERP__TRYTON__DATABASE": fresh_tryton.database,
        "REPLENISH_ERP__TRYTON__LOGIN": "replenish",
        "REPLENISH_ERP__TRYTON__PASSWORD": "replenish-for-tests",
        "REPLENISH_ERP__TRYTON__APPROVAL": "erp",
    }.items():
        monkeypatch.setenv(name, value)
    engine = make_engine(f"sqlite:///{database}")
    migrate(engine)
    sessions = session_factory(engine)

    def uow() -> UnitOfWork:
        return UnitOfWork(sessions)

    erp = TrytonErp(fresh_tryton.product(), approval="erp")
    keys = [pending_order(uow) for _ in range(3)]
    sync_erp_approvals(uow, erp)

    assert cli.main(["reconcile"]) == 0  # only quotations waiting: nothing needs a person
    out = capsys.readouterr().out
    assert "All 0 orders sent agree with the ERP." in out
    assert "- 3 wait for the ERP's approvers (quotations)" in out

    decide(uow, keys[0], "reject", ANN)
    approver(fresh_tryton).model(
        "purchase.purchase", "confirm", [purchase(fresh_tryton.admin(), keys[0])[0]]
    )
    assert cli.main(["reconcile"]) == 1
    out = capsys.readouterr().out
    first_row = out.split("| --- | --- | --- | --- |\n")[1].splitlines()[0]
    assert first_row.startswith(f"| {keys[0]} | rejected here, CONFIRMED in the ERP")
    assert "by Ann Approver (approver) at 20" in first_row
    assert "- 2 wait for the ERP's approvers (quotations)" in out
    engine.dispose()
