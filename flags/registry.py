"""The one registry of review-flag rules: the list of rule modules, in the order their
flags are found.

A rule module declares each of its rules (`RULES`: reason code, severity, the
thresholds it reads, its check) beside the check and the sentences it writes; its
switch and defaults are `FlagRules` settings (`flags.params`). Adding a rule: its check
and `FlagRule` in a rule module, the module here if it is new, its code in `FlagCode`
(the persisted string) and its settings in `FlagRules`;
`tests/unit/test_flag_registry.py` checks every code has exactly one rule and every
threshold a setting, and docs/flag-rules.md is generated from here.
"""

from __future__ import annotations

import pandas as pd

from flags.codes import FlagCode
from flags.rule import FlagInputs, FlagRule, Severity
from flags.rules import demand, forecast, history, lines, orders, precedent

__all__ = ["RULES", "SEVERITY", "FlagInputs", "FlagRule", "find_flags"]

# One line per rule module; a rule is added in its module's RULES.
RULES: tuple[FlagRule, ...] = (
    *lines.RULES,
    *orders.RULES,
    *forecast.RULES,
    *history.RULES,
    *demand.RULES,
    *precedent.RULES,
)

SEVERITY: dict[FlagCode, Severity] = {rule.code: rule.severity for rule in RULES}


def find_flags(inputs: FlagInputs) -> list[pd.DataFrame]:
    """The flags of every switched-on rule, in registry order, each with its severity."""
    found = []
    for rule in RULES:
        if rule.enabled(inputs.rules):
            flags = rule.find(inputs)
            if not flags.empty:
                found.append(flags.assign(severity=rule.severity))
    return found
