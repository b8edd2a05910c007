"""What a review-flag rule is: its code, severity, switch, default thresholds, whether it
holds or informs by default, and its function over the `FlagInputs`.

Each rule module declares its own rules (`RULES`) beside their functions;
`flags.registry` gathers them into the one registry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import pandas as pd

from flags.codes import FlagCode

if TYPE_CHECKING:
    from flags.params import FlagRules

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
