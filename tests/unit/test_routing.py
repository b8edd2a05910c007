"""Routing: approver by rule, tier by value, two distinct approvers, deputies, deadlines."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from pydantic import ValidationError

from approvals.policy import RoutingPolicy
from approvals.routing import assign_approvers, route_orders

POLICY = RoutingPolicy.model_validate(
    {
        "default_approver": "buyer@x",
        "by_supplier": {"SUP-B": "bsup@x"},
        "by_category": {"Paint": "paint@x"},
        "rules": [
            {"supplier": "SUP-A", "approver": "a@x"},
            {"supplier": "SUP-A", "location": "DC-S", "approver": "a-south@x"},
            {"location": "DC-S", "approver": "south@x"},
            {"tier": "board", "approver": "cfo@x"},
            {"category": "Tools", "tier": "high", "approver": "tools-high@x"},
            {"location": "DC-E", "approver": "east-first@x"},
            {"location": "DC-E", "approver": "east-second@x"},
        ],
        "review_hours": 24,
        "tiers": [
            {
                "name": "board",
                "above": 50_000,
                "hours": 72,
                "approvals": 2,
                "second_approver": "ceo@x",
            },
            {"name": "high", "above": 10_000, "hours": 48},
        ],
        "deputies": {"a@x": "a-deputy@x", "cfo@x": "cfo-deputy@x", "ceo@x": "ceo-deputy@x"},
    }
)

A_RULE = [{"supplier": "SUP-A", "approver": "a@x"}]


def route_one(
    policy: RoutingPolicy = POLICY,
    *,
    supplier: str = "SUP-Z",
    location: str = "DC-N",
    value: float = 500.0,
    category: str | None = None,
) -> dict[str, Any]:
    orders = pd.DataFrame(
        [{"po_key": "PO-1", "supplier_id": supplier, "location": location, "value": value}]
    )
    lines = pd.DataFrame([{"po_key": "PO-1", "category": category or "Misc", "line_value": value}])
    return dict(route_orders(orders, lines, policy).loc["PO-1"])


@pytest.mark.parametrize(
    ("case", "expected_approver"),
    [
        ({}, "buyer@x"),  # nothing matches: the default
        ({"supplier": "SUP-B"}, "bsup@x"),  # by_supplier
        ({"category": "Paint"}, "paint@x"),  # by_category
        ({"supplier": "SUP-B", "category": "Paint"}, "bsup@x"),  # supplier before category
        ({"supplier": "SUP-A"}, "a@x"),  # a rule beats by_supplier
        ({"supplier": "SUP-A", "location": "DC-S"}, "a-south@x"),  # most specific rule
        ({"supplier": "SUP-Z", "location": "DC-S"}, "south@x"),  # location rule
        ({"location": "DC-E"}, "east-first@x"),  # equal specificity: first in the file
        ({"category": "Tools", "value": 10_000.0}, "buyer@x"),  # not above the limit
        ({"category": "Tools", "value": 10_000.01}, "tools-high@x"),  # category + tier
        ({"value": 50_000.01, "supplier": "SUP-A"}, "a@x"),  # equal specificity: first wins
        ({"value": 50_000.01, "supplier": "SUP-Q"}, "cfo@x"),  # tier rule
    ],
)
def test_approver_by_rule(case: dict[str, Any], expected_approver: str) -> None:
    assert route_one(**case)["approver"] == expected_approver


@pytest.mark.parametrize(
    ("value", "tier", "hours", "required"),
    [
        (0.0, "standard", 24, 1),
        (10_000.0, "standard", 24, 1),
        (10_000.01, "high", 48, 1),
        (50_000.0, "high", 48, 1),
        (50_000.01, "board", 72, 2),
        (1e9, "board", 72, 2),
    ],
)
def test_value_tier_sets_deadline_and_approvals(
    value: float, tier: str, hours: int, required: int
) -> None:
    routed = route_one(value=value, supplier="SUP-Q")
    assert (routed["tier"], routed["deadline_hours"], routed["required_approvals"]) == (
        tier,
        hours,
        required,
    )


@pytest.mark.parametrize(
    ("policy_change", "value", "approver", "second", "deputy"),
    [
        # single approval: no second approver, the deputy from the table
        ({}, 500.0, "a@x", None, "a-deputy@x"),
        # two approvals: the tier's second approver
        ({}, 60_000.0, "cfo@x", "ceo@x", "cfo-deputy@x"),
        # the tier's second approver is the approver himself: his deputy instead
        (
            {"rules": [{"supplier": "SUP-A", "approver": "ceo@x"}]},
            60_000.0,
            "ceo@x",
            "ceo-deputy@x",
            "ceo-deputy@x",
        ),
        # no second approver named: the approver's deputy
        (
            {
                "tiers": [{"name": "big", "above": 1000, "hours": 8, "approvals": 2}],
                "rules": A_RULE,
            },
            5000.0,
            "a@x",
            "a-deputy@x",
            "a-deputy@x",
        ),
        # nobody named and no deputy: any other person may give the second approval
        (
            {
                "tiers": [{"name": "big", "above": 1000, "hours": 8, "approvals": 2}],
                "rules": A_RULE,
                "deputies": {},
            },
            5000.0,
            "a@x",
            None,
            None,
        ),
        # a deputy listed as his own deputy is no deputy
        ({"deputies": {"a@x": "a@x"}}, 500.0, "a@x", None, None),
    ],
)
def test_second_approver_and_deputy_are_other_people(
    policy_change: dict[str, Any],
    value: float,
    approver: str,
    second: str | None,
    deputy: str | None,
) -> None:
    base = POLICY.model_dump()
    base["rules"] = [
        {"tier": "board", "approver": "cfo@x"},
        {"supplier": "SUP-A", "approver": "a@x"},
    ]
    policy = RoutingPolicy.model_validate({**base, **policy_change})
    routed = route_one(policy, supplier="SUP-A", value=value)
    assert (routed["approver"], routed["second_approver"], routed["deputy"]) == (
        approver,
        second,
        deputy,
    )
    assert routed["second_approver"] != routed["approver"]


def test_main_category_is_the_one_with_most_value() -> None:
    orders = pd.DataFrame(
        [{"po_key": "PO-1", "supplier_id": "SUP-Z", "location": "DC-N", "value": 900.0}]
    )
    lines = pd.DataFrame(
        [
            {"po_key": "PO-1", "category": "Tools", "line_value": 300.0},
            {"po_key": "PO-1", "category": "Paint", "line_value": 600.0},
        ]
    )
    assert route_orders(orders, lines, POLICY).loc["PO-1", "approver"] == "paint@x"


def test_no_orders_routes_nothing() -> None:
    empty = pd.DataFrame(columns=["po_key", "supplier_id", "location", "value"])
    assert route_orders(empty, pd.DataFrame(), POLICY).empty


def test_assign_approvers_keeps_its_old_contract() -> None:
    orders = pd.DataFrame(
        [
            {"po_key": "P1", "supplier_id": "S1", "location": "L", "value": 1.0},
            {"po_key": "P2", "supplier_id": "S2", "location": "L", "value": 1.0},
        ]
    )
    approvers = assign_approvers(
        orders, pd.DataFrame(), default_approver="d@x", by_supplier={"S1": "s1@x"}, by_category={}
    )
    assert approvers.to_dict() == {"P1": "s1@x", "P2": "d@x"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"tiers": [{"name": "standard", "above": 5, "hours": 1}]}, "unique"),
        (
            {
                "tiers": [
                    {"name": "a", "above": 5, "hours": 1},
                    {"name": "b", "above": 5, "hours": 1},
                ]
            },
            "same value",
        ),
        ({"rules": [{"tier": "nope", "approver": "x@x"}]}, "unknown tiers"),
        ({"tiers": [{"name": "a", "above": 5, "hours": 1, "approvals": 3}]}, "less than or equal"),
        ({"on_deadline": "approve"}, "hold"),  # silent approval is not even configurable
    ],
)
def test_policy_refuses_contradictions(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        RoutingPolicy.model_validate(change)
