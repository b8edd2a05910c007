"""The one registry of review-flag rules: the rule modules, in the order their flags are
found.

A rule module is the one home of its checks (`flags.rule` says what it declares); its
codes, switch and thresholds are its part of the settings in `flags/params/`, which
`FlagRules` is assembled from. Adding a rule to an existing module touches that module
and its part; a new rule module adds its `RULES` to `RULES` below and its part to
`FlagRules`. `tests/unit/test_flag_registry.py` checks every code has exactly one rule,
every switch and threshold is a setting, and docs/flag-rules.md is generated from here.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from flags.codes import FlagCode
from flags.params import ALWAYS_HOLD, CODES, FlagRules
from flags.rule import FlagInputs, FlagRule, Severity
from flags.rules import demand, forecast, history, lines, orders, precedent

__all__ = [
    "ALWAYS_HOLD", "CODES", "RULES", "SEVERITY", "FlagInputs", "FlagRule", "FlagRules",
    "find_flags",
]  # fmt: skip

# One line per rule module; a rule is added in its module's RULES.
RULES: tuple[FlagRule[Any], ...] = (
    *lines.RULES,
    *orders.RULES,
    *forecast.RULES,
    *history.RULES,
    *demand.RULES,
    *precedent.RULES,
)

SEVERITY: dict[FlagCode, Severity] = {rule.code: rule.severity for rule in RULES}


def find_flags(inputs: FlagInputs[FlagRules]) -> list[pd.DataFrame]:
    """The flags of every switched-on rule, in registry order, each with its severity."""
    found = []
    for rule in RULES:
        if rule.enabled(inputs.rules):
            flags = rule.find(inputs)
            if not flags.empty:
                found.append(flags.assign(severity=rule.severity))
    return found
