"""What a review-flag rule is: its reason code, severity, the settings it reads and its
check over the `FlagInputs`.

A rule module (`flags/rules/`) is the one home of its rules: each declares its reason
codes, its `RULES` (code, severity, thresholds, check) beside the checks and the sentences
they write, and its `Settings`: a `RuleSettings` part holding the switch (marked with
`Switches(code)`), thresholds, defaults and meaning of its rules. `flags.registry` lists
the rule modules and assembles their parts into the one `FlagRules` model, so adding a
rule touches its rule module, and for a new module one entry in the registry.

Rules are generic in their settings part: a check sees the typed settings of its own
module (`rules.history_orders` type-checks), and the registry hands every rule the whole
`FlagRules`, which is a subclass of every part.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Generic, Literal, TypeVar

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from flags.codes import FlagCode

Severity = Literal["high", "medium", "low"]


@dataclass(frozen=True)
class Switches:
    """Marks the field that switches rule `code` on (`Annotated[bool, Switches(code)]`)."""

    code: FlagCode


class RuleSettings(BaseModel):
    """What every part of `FlagRules` shares: frozen, refusing unknown keys, and the
    per-supplier and per-category overrides of any threshold.

    Frozen and refusing unknown keys: a typo in the config file must fail the run at
    start-up, not silently fall back to a default.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    overrides: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description="Thresholds per supplier or category, keyed 'supplier:<supplier_id>' or "
        "'category:<category>', each a map of threshold name to value, e.g. "
        "{'supplier:SUP-01' = {line_value_limit = 5000.0}}. Precedence: supplier over "
        "category over the global value. Order-level thresholds (unusual_order_ratio, "
        "order_value_limit) take supplier overrides only (an order has no single category).",
    )

    @model_validator(mode="after")
    def _known_overrides(self) -> RuleSettings:
        # A misspelt override would silently leave the global limit in force.
        tunable = {name for name, f in type(self).model_fields.items() if f.annotation is float}
        for key, values in self.overrides.items():
            scope, _, target = key.partition(":")
            if scope not in ("supplier", "category") or not target:
                raise ValueError(f"override key {key!r}: use 'supplier:<id>' or 'category:<name>'")
            unknown = sorted(set(values) - tunable)
            if unknown:
                raise ValueError(f"override {key!r}: unknown thresholds {unknown}")
        return self

    @classmethod
    def switch_of(cls, code: str) -> str | None:
        """The field that switches rule `code` on (a list: on when not empty); None = the
        rule cannot be switched off or demoted to information."""
        return _switches(cls).get(str(code))

    def is_on(self, code: str) -> bool:
        """Whether rule `code` runs with these settings."""
        field = self.switch_of(code)
        return field is None or bool(getattr(self, field))

    def overrides_for(self, scope: str, name: str) -> dict[str, float]:
        """{supplier id or category: value} of threshold `name` for one scope."""
        prefix = scope + ":"
        return {
            key[len(prefix) :]: values[name]
            for key, values in self.overrides.items()
            if key.startswith(prefix) and name in values
        }


@cache
def _switches(model: type[BaseModel]) -> dict[str, str]:
    """{reason code: the field that switches it}, read once per model from the `Switches`
    marks on its fields."""
    return {
        str(mark.code): name
        for name, info in model.model_fields.items()
        for mark in info.metadata
        if isinstance(mark, Switches)
    }


S = TypeVar("S", bound=RuleSettings)


@dataclass(frozen=True)
class FlagInputs(Generic[S]):
    """What the rules look at: tonight's lines in orders (`ordered`, with the order's
    currency, date and rate), the orders, all lines, the forecast, the quarantine and
    the earlier order lines and orders."""

    ordered: pd.DataFrame
    orders: pd.DataFrame
    lines: pd.DataFrame
    forecast_summary: pd.DataFrame
    quarantined_items: pd.DataFrame
    rules: S
    history: pd.DataFrame
    order_history: pd.DataFrame


@dataclass(frozen=True)
class FlagRule(Generic[S]):
    code: FlagCode
    # "high": acting on it may change the order (bad inputs, empty shelf, a double
    # order); "medium": probably right but large or uncertain enough that a person
    # should own it; "low": nothing looks wrong, the administrator asked to see it.
    severity: Severity
    find: Callable[[FlagInputs[S]], pd.DataFrame]
    # The settings thresholds the check reads (beyond its switch), for the rule table.
    thresholds: tuple[str, ...] = ()

    def enabled(self, rules: RuleSettings) -> bool:
        return rules.is_on(self.code)
