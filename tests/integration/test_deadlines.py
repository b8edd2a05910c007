"""Decision deadlines applied to stored orders, on SQLite and PostgreSQL, at a fixed `now`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import pytest
from order_factory import pending_order, uow_factory
from sqlalchemy import Engine

from approvals.escalation import Step
from approvals.links import ReviewLinks
from approvals.notifications import OutgoingMail
from approvals.policy import RoutingPolicy
from cli.exit_codes import ExitCode
from cli.main import main
from services.deadlines import Mailing, chase_deadlines
from services.decisions import AlreadyDecided, decide
from storage.database import make_engine, migrate
from storage.orders import Actor
from storage.unit_of_work import UnitOfWork

# Far in the future: the session database is shared, and a nightly-flow test (which
# chases deadlines at the real clock) must never find these orders due.
DUE = datetime(2100, 1, 4, 12, 0, tzinfo=UTC)
GRACE = timedelta(hours=24)
MAILING = Mailing(
    sender="replenish@x", operator="ops@x", links=ReviewLinks("s" * 32, "http://review")
)


class Outbox:
    """Records what would be sent, and skips a dedupe key already sent (as `send` does)."""

    def __init__(self) -> None:
        self.sent: dict[str, OutgoingMail] = {}

    def __call__(self, mails: Sequence[OutgoingMail]) -> None:
        for mail in mails:
            self.sent.setdefault(mail.dedupe_key, mail)

    def to(self, po_key: str) -> list[tuple[str, str]]:
        return sorted(
            (m.kind, m.recipient) for m in self.sent.values() if po_key in str(m.message["Subject"])
        )


@pytest.fixture
def uows(engine: Engine) -> Callable[[], UnitOfWork]:
    return uow_factory(engine)


def waiting(uows: Callable[[], UnitOfWork], **routing: Any) -> str:
    return pending_order(
        uows,
        deputy="dep@x",
        decision_due_at=DUE,
        **routing,
    )


def chase(
    uows: Callable[[], UnitOfWork],
    outbox: Outbox,
    now: datetime,
    on_deadline: Literal["hold", "expire"] = "hold",
) -> dict[str, Step]:
    policy = RoutingPolicy(escalation_grace_hours=24, on_deadline=on_deadline)
    return {a.po_key: a.step for a in chase_deadlines(uows, policy, MAILING, outbox, now)}


def state(uows: Callable[[], UnitOfWork], key: str) -> tuple[str, str | None]:
    with uows() as uow:
        po = uow.orders.get(key)
        assert po is not None
        return po.status, po.escalation_stage


def test_reminder_then_deputy_then_hold_keeps_the_order_waiting(
    uows: Callable[[], UnitOfWork],
) -> None:
    key, outbox = waiting(uows), Outbox()
    assert key not in chase(uows, outbox, DUE - timedelta(minutes=1))
    assert chase(uows, outbox, DUE)[key] is Step.REMIND
    assert key not in chase(uows, outbox, DUE + timedelta(hours=1))  # same night again
    assert state(uows, key) == ("pending_review", "reminded")
    assert key not in chase(uows, outbox, DUE + GRACE - timedelta(minutes=1))
    assert chase(uows, outbox, DUE + GRACE)[key] is Step.ESCALATE
    assert key not in chase(uows, outbox, DUE + 2 * GRACE - timedelta(minutes=1))
    assert chase(uows, outbox, DUE + 2 * GRACE)[key] is Step.HOLD
    assert key not in chase(uows, outbox, DUE + 20 * GRACE)
    assert state(uows, key) == ("pending_review", "held")
    assert outbox.to(key) == [
        ("deadline_escalate", "ann@example.com"),
        ("deadline_escalate", "dep@x"),
        ("deadline_hold", "ann@example.com"),
        ("deadline_hold", "dep@x"),
        ("deadline_hold", "ops@x"),
        ("deadline_remind", "ann@example.com"),
    ]
    # held is not decided: a person can still approve it
    assert decide(uows, key, "approve", Actor("dep@x", "review-page")).final
    with uows() as uow:
        steps = [
            (r.details or {}).get("stage")
            for r in uow.orders.audit_trail(key)
            if r.action == "deadline"
        ]
    assert steps == ["reminded", "escalated", "held"]


def test_expire_moves_the_order_to_expired_and_refuses_a_late_decision(
    uows: Callable[[], UnitOfWork],
) -> None:
    key, outbox = waiting(uows), Outbox()
    for night in range(3):
        chase(uows, outbox, DUE + night * GRACE, on_deadline="expire")
    assert state(uows, key) == ("expired", "expired")
    with pytest.raises(AlreadyDecided, match="it is expired"):
        decide(uows, key, "approve", Actor("ann@example.com", "review-page"))
    with uows() as uow:
        last = uow.orders.audit_trail(key)[-1]
    assert (last.from_state, last.to_state, last.actor) == (
        "pending_review",
        "expired",
        "decision-deadline",
    )


def test_a_decided_order_is_never_chased(uows: Callable[[], UnitOfWork]) -> None:
    key, outbox = waiting(uows), Outbox()
    decide(uows, key, "reject", Actor("ann@example.com", "review-page"))
    assert key not in chase(uows, outbox, DUE + 10 * GRACE)
    assert outbox.to(key) == []


def test_both_approvers_of_a_two_approval_order_are_reminded(
    uows: Callable[[], UnitOfWork],
) -> None:
    key, outbox = waiting(uows, required_approvals=2, second_approver="bob@x"), Outbox()
    chase(uows, outbox, DUE)
    assert outbox.to(key) == [
        ("deadline_remind", "ann@example.com"),
        ("deadline_remind", "bob@x"),
    ]


ZED = "zed@example.com"


def test_review_link_refuses_an_order_past_its_deadline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An order held past its deadline still waits, but a link to it would only say
    "expired": `review link` refuses with the reason (exit 3) instead of printing one.
    (A database of its own: a nightly run on the shared one would chase this order.)"""
    url = f"sqlite:///{tmp_path / 'replenish.db'}"
    engine = make_engine(url)
    migrate(engine)
    monkeypatch.setenv("REPLENISH_DATABASE_URL", url)
    now = datetime.now(UTC)
    try:
        late = pending_order(uow_factory(engine), decision_due_at=now - timedelta(hours=2))
        open_ = pending_order(uow_factory(engine), decision_due_at=now + timedelta(hours=2))
        pending_order(uow_factory(engine), approver=ZED, decision_due_at=now - timedelta(hours=1))
    finally:
        engine.dispose()

    assert main(["review", "link", late, "--for", "ann@example.com"]) == ExitCode.REFUSED
    refused = capsys.readouterr()
    assert refused.out == ""
    assert refused.err.startswith(f"replenish: refused: {late}: the decision deadline passed on ")
    assert f"replenish review approve|reject {late} --as ann@example.com" in refused.err
    assert main(["review", "link", open_, "--for", "ann@example.com"]) == ExitCode.SUCCEEDED
    assert f"/orders/{open_}/" in capsys.readouterr().out
    # the digest still opens while one of the person's orders is within its deadline
    assert main(["review", "link", "--for", "ann@example.com"]) == ExitCode.SUCCEEDED
    assert "/digest/" in capsys.readouterr().out
    # ... and is refused when every one of them is past it
    assert main(["review", "link", "--for", ZED]) == ExitCode.REFUSED
    assert "every order waiting for this person: the decision deadline passed on " in (
        capsys.readouterr().err
    )
