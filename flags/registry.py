"""The one registry of review-flag rules: for each reason code, the switch that turns it
on, its default thresholds, its severity, whether it holds the order or only informs
the buyer by default, and the function that finds it (a `FlagRule`, declared in its rule
module's `RULES` beside the function).

Everything else is derived from it: the defaults of `FlagRules`
(`flags.params`), which codes are switched on, the rules `flag_orders`
runs, the severity of each flag. Adding a rule: its function and `FlagRule` in a rule
module, its name in `FlagCode`, its settings field (the administrator's key and its
description, default from here), and its test; `tests/unit/test_flag_registry.py`
checks every code has exactly one entry and every switch and threshold a setting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from flags.codes import FlagCode
from flags.rule import FlagInputs, FlagRule, Severity
from flags.rules import demand, forecast, history, lines, orders, precedent

if TYPE_CHECKING:
    from flags.params import FlagRules

__all__ = ["RULES", "FlagInputs", "FlagRule", "enabled_codes", "find_flags"]

# One line per rule module; a rule is added in its module's RULES.
RULES: tuple[FlagRule, ...] = (
    *lines.RULES,
    *orders.RULES,
    *forecast.RULES,
    *history.RULES,
    *demand.RULES,
    *precedent.RULES,
)

BY_CODE: dict[FlagCode, FlagRule] = {rule.code: rule for rule in RULES}
SEVERITY: dict[FlagCode, Severity] = {rule.code: rule.severity for rule in RULES}
# Codes no setting can switch off or demote to information: the quantity behind them
# was recognised as impossible, so a person decides whatever the line is worth.
ALWAYS_HOLD = frozenset(rule.code for rule in RULES if rule.switch is None)
_RANK = {"high": 0, "medium": 1, "low": 2}
# Most serious first (as the settings have always listed them).
INFORMING_BY_DEFAULT = [
    rule.code
    for rule in sorted(RULES, key=lambda rule: _RANK[rule.severity])
    if rule.informs_by_default
]


def _threshold_defaults() -> dict[str, float]:
    defaults: dict[str, float] = {}
    for rule in RULES:
        for name, value in rule.thresholds.items():
            if defaults.setdefault(name, value) != value:  # shared by two rules: one value
                raise ValueError(f"threshold {name}: two defaults in the flag registry")
    return defaults


THRESHOLD_DEFAULTS = _threshold_defaults()


def default_threshold(name: str) -> float:
    """The default of a rule's threshold, for the `FlagRules` field of that name."""
    return THRESHOLD_DEFAULTS[name]


def default_count(name: str) -> int:
    """The default of a threshold that counts (orders of history), for an int field."""
    return int(THRESHOLD_DEFAULTS[name])


def default_switch(name: str) -> bool:
    """Whether the rule switched by field `name` is on by default."""
    return next(rule.on_by_default for rule in RULES if rule.switch == name)


def enabled_codes(rules: FlagRules) -> frozenset[str]:
    """Reason codes of the switched-on rules, for run summaries and routing config."""
    return frozenset(str(rule.code) for rule in RULES if rule.enabled(rules))


def find_flags(inputs: FlagInputs) -> list[pd.DataFrame]:
    """The flags of every switched-on rule, in registry order, each with its severity."""
    found = []
    for rule in RULES:
        if rule.enabled(inputs.rules):
            flags = rule.find(inputs)
            if not flags.empty:
                found.append(flags.assign(severity=rule.severity))
    return found
