"""Who gets which orders in their Prefect UI form (services.decision_forms), on both
databases: the people the review e-mails ask, the deputy once escalated, nobody twice."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal

import pytest
from order_factory import pending_order, uow_factory
from sqlalchemy import Engine

from services.decision_forms import asked_to_decide, form_orders
from services.decisions import decide
from storage.orders import Actor
from storage.unit_of_work import UnitOfWork

DEFAULT = "default.buyer@example.com"


@pytest.fixture
def uows(engine: Engine) -> Callable[[], UnitOfWork]:
    return uow_factory(engine)


def person(name: str) -> str:
    """A person no other test's orders wait for (the session's database is shared)."""
    return f"{name}.{uuid.uuid4().hex[:8]}@example.com"


def test_each_person_gets_the_orders_waiting_for_them_most_money_first(
    uows: Callable[[], UnitOfWork],
) -> None:
    ann, bob, cfo = person("ann"), person("bob"), person("cfo")
    small = pending_order(uows, approver=ann, deputy=bob, value=Decimal("100.00"))
    large = pending_order(uows, approver=ann.upper(), deputy=bob, value=Decimal("900.00"))
    two = pending_order(uows, approver=ann, second_approver=cfo, required_approvals=2)
    escalated = pending_order(
        uows, approver=cfo, deputy=bob, escalation_stage="escalated", value=Decimal("1000.00")
    )

    asked = asked_to_decide(uows, DEFAULT)

    # The flags are empty, so the money at stake is the value (1,500.00 by default).
    assert asked[ann] == [two, large, small]
    assert asked[cfo] == [two, escalated]
    # A deputy is asked only once the order was escalated to them.
    assert asked[bob] == [escalated]


def test_a_person_who_decided_is_not_asked_again_and_a_decided_order_leaves(
    uows: Callable[[], UnitOfWork],
) -> None:
    ann, cfo = person("ann"), person("cfo")
    two = pending_order(uows, approver=ann, second_approver=cfo, required_approvals=2)
    done = pending_order(uows, approver=ann)
    decide(uows, two, "approve", Actor(ann, "review-page"))
    decide(uows, done, "reject", Actor(ann, "cli"))

    asked = asked_to_decide(uows, DEFAULT)

    assert ann not in asked
    assert asked[cfo] == [two]


def test_an_order_routed_to_nobody_goes_to_the_default_approver(
    uows: Callable[[], UnitOfWork],
) -> None:
    default = person("default")
    key = pending_order(uows, approver=None, deputy=None)
    assert key in asked_to_decide(uows, default)[default]


def test_form_orders_keep_the_order_given_and_show_what_would_be_ordered_now(
    uows: Callable[[], UnitOfWork],
) -> None:
    ann, cfo = person("ann"), person("cfo")
    first = pending_order(uows, approver=ann)
    second = pending_order(uows, approver=ann, second_approver=cfo, required_approvals=2)
    decide(uows, second, "approve", Actor(ann, "review-page"), quantities={"SKU-1": Decimal(30)})

    shown = form_orders(uows, [second, first])

    assert [o.po_key for o in shown] == [second, first]
    assert [(ln.sku, ln.proposed, ln.current) for ln in shown[0].lines] == [
        ("SKU-1", Decimal("24"), Decimal("30")),
        ("SKU-2", Decimal("10"), Decimal("10")),
    ]
    with pytest.raises(KeyError):
        form_orders(uows, ["RPL-NO-SUCH-ORDER"])
