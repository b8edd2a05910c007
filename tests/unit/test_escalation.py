"""Decision deadlines: reminder, escalation to the deputy, then hold or expire; never approve."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import pytest

from approvals.escalation import Stage, Step, WaitingOrder, due_actions

DUE = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
GRACE = timedelta(hours=24)
H = timedelta(hours=1)
OnDeadline = Literal["hold", "expire"]


def order(stage: Stage | None = None, stage_at: datetime | None = None, **kw: Any) -> WaitingOrder:
    fields: dict[str, Any] = {
        "po_key": "PO-1",
        "approver": "ann@x",
        "second_approver": None,
        "deputy": "dep@x",
        "due_at": DUE,
        "stage": stage,
        "stage_at": stage_at,
    }
    return WaitingOrder(**{**fields, **kw})


def step(
    o: WaitingOrder, now: datetime, on_deadline: OnDeadline = "hold"
) -> tuple[Step, tuple[str, ...]] | None:
    actions = due_actions([o], now, grace=GRACE, on_deadline=on_deadline, operator="ops@x")
    assert len(actions) <= 1
    return (actions[0].step, actions[0].recipients) if actions else None


@pytest.mark.parametrize(
    ("waiting", "now", "expected"),
    [
        # before the deadline: nothing
        (order(), DUE - H, None),
        # at the deadline: a reminder to the approver
        (order(), DUE, (Step.REMIND, ("ann@x",))),
        # two-approval orders: both people are reminded
        (order(second_approver="bob@x"), DUE, (Step.REMIND, ("ann@x", "bob@x"))),
        # reminded, grace not over: nothing
        (order(Stage.REMINDED, DUE), DUE + GRACE - H, None),
        # reminded, grace over: escalate to the deputy (approver in copy)
        (order(Stage.REMINDED, DUE), DUE + GRACE, (Step.ESCALATE, ("dep@x", "ann@x"))),
        # no deputy: the operator is the deputy of last resort
        (order(Stage.REMINDED, DUE, deputy=None), DUE + GRACE, (Step.ESCALATE, ("ops@x", "ann@x"))),
        # reminded late (no run for days): the deputy still waits a full grace period
        (order(Stage.REMINDED, DUE + 3 * GRACE), DUE + 3 * GRACE + GRACE - H, None),
        (
            order(Stage.REMINDED, DUE + 3 * GRACE),
            DUE + 4 * GRACE,
            (Step.ESCALATE, ("dep@x", "ann@x")),
        ),
        # escalated, grace not over: nothing
        (order(Stage.ESCALATED, DUE + GRACE), DUE + 2 * GRACE - H, None),
        # escalated, grace over: hold, the operator told
        (
            order(Stage.ESCALATED, DUE + GRACE),
            DUE + 2 * GRACE,
            (Step.HOLD, ("ops@x", "ann@x", "dep@x")),
        ),
        # held: nothing more, ever
        (order(Stage.HELD, DUE + 2 * GRACE), DUE + 100 * GRACE, None),
        # proposed before deadlines existed: never chased
        (order(due_at=None), DUE + 100 * GRACE, None),
        # far past everything but never reminded: one step at a time, a reminder first
        (order(), DUE + 10 * GRACE, (Step.REMIND, ("ann@x",))),
    ],
)
def test_the_step_due_now(
    waiting: WaitingOrder, now: datetime, expected: tuple[Step, tuple[str, ...]] | None
) -> None:
    assert step(waiting, now) == expected


def test_expire_is_the_configured_outcome_instead_of_hold() -> None:
    assert step(order(Stage.ESCALATED, DUE + GRACE), DUE + 2 * GRACE, "expire") == (
        Step.EXPIRE,
        ("ops@x", "ann@x", "dep@x"),
    )


@pytest.mark.parametrize("on_deadline", ["hold", "expire"])
def test_never_silent_approval(on_deadline: OnDeadline) -> None:
    """Walk an order through every night for a month: no step ever approves it."""
    waiting, seen = order(), []
    now = DUE - GRACE
    while now < DUE + 30 * GRACE:
        for action in due_actions(
            [waiting],
            now,
            grace=GRACE,
            on_deadline=on_deadline,
            operator="ops@x",
        ):
            seen.append(action.step)
            waiting = order(action.to_stage, now)
        now += GRACE
    final = Step.HOLD if on_deadline == "hold" else Step.EXPIRE
    assert seen == [Step.REMIND, Step.ESCALATE, final]


def test_many_orders_each_get_their_own_step() -> None:
    orders = [
        order(po_key="A"),
        order(Stage.REMINDED, DUE, po_key="B"),
        order(po_key="C", due_at=DUE + 5 * GRACE),
    ]
    actions = due_actions(orders, DUE + GRACE, grace=GRACE, on_deadline="hold", operator="ops@x")
    assert [(a.po_key, a.step, a.from_stage, a.to_stage) for a in actions] == [
        ("A", Step.REMIND, None, Stage.REMINDED),
        ("B", Step.ESCALATE, Stage.REMINDED, Stage.ESCALATED),
    ]
