"""The flag registry lists every rule once: every reason code has exactly one entry, every
threshold a rule reads is a setting, and every rule but the always-holding one has
exactly one switch in `FlagRules`."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd

from flags import FlagRules
from flags.registry import ALWAYS_HOLD, CODES, RULES, SEVERITY, FlagRule


def switch(rule: FlagRule[Any]) -> str | None:
    return FlagRules.switch_of(rule.code)


def enabled_codes(rules: FlagRules) -> frozenset[str]:
    return rules.enabled_codes()


def test_every_flag_code_has_exactly_one_registry_entry() -> None:
    entries = Counter(rule.code for rule in RULES)
    assert set(entries) == CODES
    assert set(entries.values()) == {1}


def test_every_switch_and_threshold_is_a_setting() -> None:
    fields = FlagRules.model_fields
    switches = [switch(rule) for rule in RULES if switch(rule) is not None]
    assert len(switches) == len(set(switches)) == len(RULES) - 1  # one rule always holds
    for rule in RULES:
        assert switch(rule) is None or switch(rule) in fields, rule.code
        for name in rule.thresholds:
            assert name in fields, (rule.code, name)


def test_informing_and_always_holding_codes_come_from_the_registry() -> None:
    assert {"STOCKOUT_RISK", "LARGE_LINE_VALUE"} == set(FlagRules().inform_only)
    assert {"IMPLAUSIBLE_FORECAST"} == ALWAYS_HOLD
    # An always-holding code holds even when listed as informing and worth nothing.
    flags = pd.DataFrame(
        {"code": ["IMPLAUSIBLE_FORECAST", "STOCKOUT_RISK"], "sku": ["A", "B"],
         "money_at_stake": [0.0, 5000.0]}
    )  # fmt: skip
    rules = FlagRules(inform_only=["IMPLAUSIBLE_FORECAST", "STOCKOUT_RISK"])
    assert rules.holds(flags).tolist() == [True, False]


def test_switching_a_rule_off_removes_exactly_its_code() -> None:
    everything_on: dict[str, Any] = {field: True for rule in RULES if (field := switch(rule))}
    everything_on["always_review_suppliers"] = ["SUP-01"]
    all_codes = enabled_codes(FlagRules.model_validate(everything_on))
    assert all_codes == set(CODES)
    for rule in RULES:
        field = switch(rule)
        if field is None:
            continue
        off = {**everything_on, field: [] if field.endswith("s") else False}
        assert all_codes - enabled_codes(FlagRules.model_validate(off)) == {str(rule.code)}


def test_severities_are_the_documented_three() -> None:
    assert set(SEVERITY.values()) <= {"high", "medium", "low"}
    assert SEVERITY["DATA_QUALITY"] == "high"
    assert SEVERITY["ALWAYS_REVIEW"] == "low"


def test_the_docs_list_every_rule_as_the_registry_has_it() -> None:
    from cli.flag_rules_doc import DOC_FILE, doc_text

    page = DOC_FILE.read_text(encoding="utf-8")
    assert page == doc_text(), "run `python -m cli.generated_docs` and commit the page"
    listed = [line.split("|")[1].strip() for line in page.splitlines() if line.startswith("| ")]
    assert Counter(listed[2:]) == Counter(CODES)  # after the header


def test_each_rule_module_is_the_home_of_its_rules_settings() -> None:
    # One home per rule: its switch and thresholds are fields of its own module's
    # `Settings` part (or the shared review settings), never of another rule module's.
    from flags.params import ReviewSettings
    from flags.rules import demand, forecast, history, lines, orders, precedent

    modules = (lines, orders, forecast, history, demand, precedent)
    assert sum(len(module.RULES) for module in modules) == len(RULES)
    for module in modules:
        own = set(module.Settings.model_fields) | set(ReviewSettings.model_fields)
        for rule in module.RULES:
            assert switch(rule) is None or switch(rule) in own, (module.__name__, rule.code)
            assert set(rule.thresholds) <= own, (module.__name__, rule.code)
            assert getattr(module, rule.code) == rule.code  # the code is declared there
