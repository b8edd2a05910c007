"""Rollout modes, pure parts: which mode an order is made in (precedence), what the mode
does to its decision, what counts as a change of mode, and that a shadow order can never
be approved or sent (the life cycle)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from pydantic import ValidationError

from approvals.rollout import RolloutPolicy, apply_rollout
from domain.lifecycle import READY_TO_SUBMIT, InvalidTransition, OrderStatus, check_transition
from domain.rollout import BEFORE_ROLLOUT, ModeChange, mode_changes, most_cautious
from services.shadow_comparison import compare
from settings import SettingsError, load_settings

ORDERS = pd.DataFrame(
    {
        "po_key": ["A", "B", "C"],
        "supplier_id": ["SUP-01", "SUP-02", "SUP-03"],
        "location": ["DC-NORTH", "DC-NORTH", "STORE-01"],
    }
)
# Order A mixes two categories; the last line orders nothing (no po_key).
LINES = pd.DataFrame(
    {
        "po_key": ["A", "A", "B", "C", None],
        "sku": ["S1", "S2", "S3", "S4", "S5"],
        "category": ["Fasteners", "Tools", "Fasteners", "Safety", "Fasteners"],
    }
)


def modes(policy: RolloutPolicy) -> dict[str, str]:
    return dict(policy.order_modes(ORDERS, LINES))


@pytest.mark.parametrize(
    ("mode", "overrides", "expected"),
    [
        # The default is today's behaviour: everything live.
        ("live", {}, {"A": "live", "B": "live", "C": "live"}),
        ("shadow", {}, {"A": "shadow", "B": "shadow", "C": "shadow"}),
        # An override wins over the catalogue's mode, loosening it for one category...
        ("shadow", {"category:Fasteners": "live"}, {"A": "shadow", "B": "live", "C": "shadow"}),
        # ...and an order takes its most cautious line: A's Tools line is still in shadow.
        (
            "shadow",
            {"category:Fasteners": "live", "category:Tools": "live"},
            {"A": "live", "B": "live", "C": "shadow"},
        ),
        # Several overrides on one order: the most cautious wins, whatever the scope.
        (
            "live",
            {"category:Fasteners": "live", "supplier:SUP-02": "review-all"},
            {"A": "live", "B": "review-all", "C": "live"},
        ),
        (
            "live",
            {"location:DC-NORTH": "shadow", "category:Fasteners": "review-all"},
            {"A": "shadow", "B": "shadow", "C": "live"},
        ),
    ],
)
def test_each_order_is_made_in_the_mode_the_precedence_gives(
    mode: str, overrides: dict[str, str], expected: dict[str, str]
) -> None:
    assert modes(RolloutPolicy.model_validate({"mode": mode, "overrides": overrides})) == expected


def test_a_misspelt_scope_or_mode_is_refused_naming_it() -> None:
    with pytest.raises(ValidationError, match="categry:Tools"):
        RolloutPolicy.model_validate({"overrides": {"categry:Tools": "live"}})
    with pytest.raises(ValidationError, match="shadow"):
        RolloutPolicy.model_validate({"mode": "shadw"})


def test_the_config_file_sets_the_mode_and_its_overrides(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[rollout]\nmode = "shadow"\n[rollout.overrides]\n"category:Tools" = "review-all"\n'
    )
    settings = load_settings(path)
    expected = {"catalogue": "shadow", "category:Tools": "review-all"}
    assert settings.rollout.scoped_modes() == expected
    path.write_text('[rollout]\nmode = "half-live"\n')
    with pytest.raises(SettingsError, match="rollout"):
        load_settings(path)


def test_the_mode_decides_over_the_rules_except_when_live() -> None:
    decisions = pd.Series(
        ["auto_approved", "pending_review", "auto_approved", "pending_review"],
        index=["A", "B", "C", "D"],
    )
    by_mode = pd.Series(["shadow", "shadow", "review-all", "live"], index=["A", "B", "C", "D"])
    assert dict(apply_rollout(decisions, by_mode)) == {
        "A": "shadow",
        "B": "shadow",
        "C": "pending_review",
        "D": "pending_review",
    }


def test_a_shadow_order_can_never_be_approved_or_sent() -> None:
    check_transition("proposed", "shadow")
    assert OrderStatus.SHADOW not in READY_TO_SUBMIT
    for target in OrderStatus:
        with pytest.raises(InvalidTransition):
            check_transition("shadow", target)


def test_a_change_of_mode_is_each_scope_that_differs() -> None:
    assert most_cautious([]) == "live"
    assert most_cautious(["live", "review-all"]) == "review-all"
    before = {**BEFORE_ROLLOUT, "category:Tools": "shadow"}
    after = {"catalogue": "shadow", "supplier:SUP-02": "live"}
    assert mode_changes(before, after) == [
        ModeChange("catalogue", "live", "shadow"),
        ModeChange("category:Tools", "shadow", None),
        ModeChange("supplier:SUP-02", None, "live"),
    ]
    assert mode_changes(after, dict(after)) == []


def test_shadow_proposals_against_the_buyers_orders() -> None:
    proposed = pd.DataFrame(
        {
            "sku": ["S1", "S2", "S2"],
            "location": ["L1", "L1", "L1"],
            "supplier_id": ["SUP-01"] * 3,
            "proposed_quantity": [10, 4, 6],
            "line_value": [20.0, 8.0, 12.0],
            "currency": ["EUR"] * 3,
        }
    )
    ordered = pd.DataFrame(
        {
            "order_ref": ["B-1", "B-1", "B-2"],
            "sku": ["S2", "S3", "S3"],
            "location": ["L1", "L1", "L1"],
            "supplier_id": ["SUP-01"] * 3,
            "quantity": [12, 5, 5],
        }
    )
    prices = pd.DataFrame(
        {"sku": ["S1", "S2", "S3"], "location": ["L1"] * 3, "unit_cost": [2.0, 2.0, 3.5],
         "currency": ["EUR"] * 3}
    )  # fmt: skip
    figures = compare(proposed, ordered, prices, "EUR")
    assert figures["matched"].items == 1  # S2: 10 proposed, 12 ordered
    assert (figures["matched"].proposed_units, figures["matched"].ordered_units) == (10, 12)
    assert figures["matched"].ordered_value == {"EUR": 24}
    assert figures["product_only"].items == 1  # S1
    assert figures["product_only"].proposed_value == {"EUR": 20}
    assert figures["buyers_only"].items == 1  # S3, two buyer orders
    assert figures["buyers_only"].ordered_units == 10
    assert figures["buyers_only"].ordered_value == {"EUR": 35}
    assert figures["proposed_value"] == {"EUR": 40}
    assert figures["ordered_value"] == {"EUR": 59}
    s3 = next(item for item in figures["items"] if item.sku == "S3")
    assert (s3.side, s3.buyer_orders) == ("buyers_only", ["B-1", "B-2"])
