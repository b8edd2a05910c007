"""What a review-flag rule is: its reason code, severity, the settings it reads and its
check over the `FlagInputs`.

Each rule module declares its own rules (`RULES`) beside their checks and the sentences
they write; `flags.registry` lists the rule modules. A rule's switch, defaults and
whether it holds or informs by default are settings (`flags.params.FlagRules`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from flags.codes import FlagCode
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
    # The `FlagRules` thresholds the check reads (beyond its switch), for the rule table.
    thresholds: tuple[str, ...] = ()

    @property
    def switch(self) -> str | None:
        """The `FlagRules` field that switches it on; None = always on and always holds."""
        return FlagRules.switch_of(self.code)

    def enabled(self, rules: FlagRules) -> bool:
        return rules.is_on(self.code)
