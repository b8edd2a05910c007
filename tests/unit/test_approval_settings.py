"""The `[approvals]` section: tiers, rules, deputies and the deadline outcome from TOML + env."""

from __future__ import annotations

from pathlib import Path

import pytest

from settings import SettingsError, load_settings

CONFIG = """
[approvals]
default_approver = "buyer@corp.test"
review_hours = 12
escalation_grace_hours = 8
deputies = { "buyer@corp.test" = "deputy@corp.test" }

[[approvals.tiers]]
name = "board"
above = 50000.0
hours = 72
approvals = 2
second_approver = "head@corp.test"

[[approvals.rules]]
supplier = "SUP-01"
location = "DC-S"
approver = "south@corp.test"
"""


def test_routing_tiers_rules_and_deputies_load(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG)
    approvals = load_settings(path).approvals
    assert approvals.review_hours == 12
    assert approvals.escalation_grace_hours == 8
    assert approvals.on_deadline == "hold"  # the safe default
    assert approvals.deputies == {"buyer@corp.test": "deputy@corp.test"}
    assert [(t.name, t.hours, t.approvals) for t in approvals.ordered_tiers()] == [
        ("standard", 12, 1),
        ("board", 72, 2),
    ]
    assert approvals.rules[0].specificity == 2
    assert approvals.operator == "operator@example.com"


def test_the_environment_overrides_the_deadline_outcome(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG)
    monkeypatch.setenv("REPLENISH_APPROVALS__ON_DEADLINE", "expire")
    assert load_settings(path).approvals.on_deadline == "expire"


def test_a_rule_naming_an_unknown_tier_is_refused_with_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG + '\n[[approvals.rules]]\ntier = "huge"\napprover = "x@corp.test"\n')
    with pytest.raises(SettingsError, match=r"config\.toml: approvals: .*unknown tiers: huge"):
        load_settings(path)


def test_the_example_config_routes_with_defaults() -> None:
    example = Path(__file__).parents[2] / "config.example.toml"
    approvals = load_settings(example).approvals
    assert approvals.on_deadline == "hold"
    assert approvals.tiers == []
    assert approvals.escalation_grace_hours == 24
