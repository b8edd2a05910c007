"""The one registry of review-flag rules: the rule modules, in the order their flags are
found, and the one settings model assembled from their parts.

A rule module is the one home of its rules (`flags.rule` says what it declares).
Adding a rule to an existing module touches that module only; a new rule module adds
its `RULES` to `RULES` below and its `Settings` to the bases of `FlagRules`.
`tests/unit/test_flag_registry.py` checks every code has exactly one rule, every switch
and threshold is a setting, and docs/flag-rules.md is generated from here.

The settings import `FlagRules`, so every rule module with it: a rule module imports
nothing heavier than pandas at module level (no scipy, no forecasting engine; a check
imports such a thing where it uses it), which `tests/unit/test_light_imports.py` guards.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from pydantic import model_validator

from flags.codes import FlagCode
from flags.params import ReviewSettings
from flags.rule import FlagInputs, FlagRule, Severity
from flags.rules import demand, forecast, history, lines, orders, precedent

__all__ = ["CODES", "RULES", "SEVERITY", "FlagInputs", "FlagRule", "FlagRules", "find_flags"]

# One line per rule module; a rule is added in its module's RULES.
RULES: tuple[FlagRule[Any], ...] = (
    *lines.RULES,
    *orders.RULES,
    *forecast.RULES,
    *history.RULES,
    *demand.RULES,
    *precedent.RULES,
)

CODES: frozenset[FlagCode] = frozenset(rule.code for rule in RULES)
SEVERITY: dict[FlagCode, Severity] = {rule.code: rule.severity for rule in RULES}


class FlagRules(
    ReviewSettings,
    lines.Settings,
    orders.Settings,
    forecast.Settings,
    history.Settings,
    demand.Settings,
    precedent.Settings,
):
    """Every review-flag setting an administrator sets (`[flags]`), as one typed value:
    the shared review settings (`flags.params`) and each rule module's part.

    Why assembled by inheritance: each rule's switch and thresholds stay beside its
    check, and `settings.flags.line_value_limit` still type-checks (a model built at run
    time with `create_model` would hide every key from mypy).
    """

    @model_validator(mode="after")
    def _known_codes(self) -> FlagRules:
        # A misspelt code in inform_only would silently leave that flag holding.
        unknown = sorted(set(map(str, self.inform_only)) - CODES)
        if unknown:
            raise ValueError(f"inform_only: unknown reason codes {unknown}; known: {sorted(CODES)}")
        return self

    def enabled_codes(self) -> frozenset[str]:
        """Reason codes of the switched-on rules, for run summaries and routing config."""
        return frozenset(str(rule.code) for rule in RULES if rule.enabled(self))


# Codes no setting can switch off or demote to information.
ALWAYS_HOLD: frozenset[FlagCode] = frozenset(
    rule.code for rule in RULES if FlagRules.switch_of(rule.code) is None
)


def find_flags(inputs: FlagInputs[FlagRules]) -> list[pd.DataFrame]:
    """The flags of every switched-on rule, in registry order, each with its severity."""
    found = []
    for rule in RULES:
        if rule.enabled(inputs.rules):
            flags = rule.find(inputs)
            if not flags.empty:
                found.append(flags.assign(severity=rule.severity))
    return found
