"""The one registry of review-flag rules: for each reason code, the switch that turns it
on, its default thresholds, its severity, whether it holds the order or only informs
the buyer by default, and the function that finds it.

Everything else is derived from this table: the defaults of `FlagRules`
(`purchasing.review_params`), which codes are switched on, the rules `flag_orders`
runs (in this order), the severity of each flag. Adding a rule is its function, one
entry here, its `FlagCode` and its settings field with a description, and its test;
`tests/unit/test_flag_registry.py` checks every code has exactly one entry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import pandas as pd

from purchasing.flag_codes import FlagCode
from purchasing.review_rules_demand import below_min_order_value, demand_anomaly
from purchasing.review_rules_forecast import (
    dormant_item,
    duplicate_risk,
    excess_cover,
    implausible_forecast,
    low_confidence,
)
from purchasing.review_rules_history import always_review, price_change, quantity_vs_history
from purchasing.review_rules_lines import (
    constraint_inflation,
    data_quality,
    large_line_value,
    new_item,
    stockout_risk,
)
from purchasing.review_rules_orders import large_first_order, unusual_order

if TYPE_CHECKING:
    from purchasing.review_params import FlagRules

Severity = Literal["high", "medium", "low"]


@dataclass(frozen=True)
class FlagInputs:
    """What the rules look at: tonight's lines in orders (`ordered`, with the order's
    currency, date and rate), the orders, all lines, the forecast, the quarantine and
    the earlier order lines and orders."""

    ordered: pd.DataFrame
    orders: pd.DataFrame
    lines: pd.DataFrame
    forecast_summary: pd.DataFrame
    quarantined_items: pd.DataFrame
    rules: FlagRules
    history: pd.DataFrame
    order_history: pd.DataFrame


@dataclass(frozen=True)
class FlagRule:
    code: FlagCode
    # "high": acting on it may change the order (bad inputs, empty shelf, a double
    # order); "medium": probably right but large or uncertain enough that a person
    # should own it; "low": nothing looks wrong, the administrator asked to see it.
    severity: Severity
    find: Callable[[FlagInputs], pd.DataFrame]
    # The `FlagRules` field that switches it on (a list switches on when not empty),
    # and its default; None = it cannot be switched off or demoted to information.
    switch: str | None
    on_by_default: bool = True
    thresholds: Mapping[str, float] = field(default_factory=dict)
    # True = only told to the buyer by default (in `FlagRules.inform_only`'s default).
    informs_by_default: bool = False

    def enabled(self, rules: FlagRules) -> bool:
        return self.switch is None or bool(getattr(rules, self.switch))


RULES: tuple[FlagRule, ...] = (
    FlagRule(FlagCode.LARGE_LINE_VALUE, "medium", lambda i: large_line_value(i.ordered, i.rules),
             "large_line_value", thresholds={"line_value_limit": 2500.0},
             informs_by_default=True),
    FlagRule(FlagCode.UNUSUAL_ORDER, "medium",
             lambda i: unusual_order(i.orders, i.lines, i.order_history, i.rules),
             "unusual_order",
             thresholds={"unusual_order_ratio": 1.75, "unusual_order_min_extra_lines": 5.0,
                         "order_history_orders": 8, "order_history_min_orders": 3}),
    FlagRule(FlagCode.LARGE_ORDER_VALUE, "medium",
             lambda i: large_first_order(i.orders, i.order_history, i.rules),
             "large_order_value", on_by_default=False,
             thresholds={"order_value_limit": 10000.0}),
    FlagRule(FlagCode.NEW_ITEM, "medium", lambda i: new_item(i.ordered, i.forecast_summary),
             "new_item"),
    FlagRule(FlagCode.DATA_QUALITY, "high",
             lambda i: data_quality(i.ordered, i.quarantined_items,
                                    i.rules.data_quality_recent_days),
             "data_quality", thresholds={"data_quality_recent_days": 28.0}),
    FlagRule(FlagCode.STOCKOUT_RISK, "high", lambda i: stockout_risk(i.ordered), "stockout_risk",
             informs_by_default=True),
    FlagRule(FlagCode.CONSTRAINT_INFLATION, "medium",
             lambda i: constraint_inflation(i.ordered, i.rules), "constraint_inflation",
             thresholds={"constraint_inflation_ratio": 5.0,
                         "constraint_inflation_min_value": 500.0}),
    FlagRule(FlagCode.IMPLAUSIBLE_FORECAST, "high",
             lambda i: implausible_forecast(i.ordered, i.forecast_summary), None),
    FlagRule(FlagCode.LOW_CONFIDENCE, "medium",
             lambda i: low_confidence(i.ordered, i.forecast_summary, i.rules),
             "low_confidence", on_by_default=False,
             thresholds={"low_confidence_cv": 1.0, "low_confidence_rmsse": 1.5}),
    FlagRule(FlagCode.DORMANT_ITEM, "high", lambda i: dormant_item(i.ordered, i.forecast_summary),
             "dormant_item"),
    FlagRule(FlagCode.EXCESS_COVER, "medium", lambda i: excess_cover(i.ordered, i.rules),
             "excess_cover", on_by_default=False, thresholds={"excess_cover_intervals": 3.0}),
    FlagRule(FlagCode.DUPLICATE_RISK, "high", lambda i: duplicate_risk(i.ordered),
             "duplicate_risk"),
    FlagRule(FlagCode.QUANTITY_VS_HISTORY, "medium",
             lambda i: quantity_vs_history(i.ordered, i.history, i.rules), "quantity_vs_history",
             thresholds={"quantity_history_ratio": 3.0, "history_orders": 5}),
    FlagRule(FlagCode.PRICE_CHANGE, "medium",
             lambda i: price_change(i.ordered, i.history, i.rules), "price_change",
             thresholds={"price_change_share": 0.10, "history_orders": 5}),
    FlagRule(FlagCode.ALWAYS_REVIEW, "low",
             lambda i: always_review(i.orders, i.rules.always_review_suppliers),
             "always_review_suppliers", on_by_default=False),
    FlagRule(FlagCode.DEMAND_ANOMALY, "high",
             lambda i: demand_anomaly(i.ordered, i.forecast_summary, i.rules), "demand_anomaly",
             thresholds={"demand_anomaly_band": 0.98}),
    FlagRule(FlagCode.BELOW_MIN_ORDER_VALUE, "medium",
             lambda i: below_min_order_value(i.orders, i.ordered), "below_min_order_value"),
)  # fmt: skip

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
