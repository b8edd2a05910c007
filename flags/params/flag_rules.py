"""`FlagRules`: every review-flag setting an administrator sets (`[flags]`), as one typed
value, assembled from the shared review settings and each rule module's part.

The parts live in `flags/params/` (one per module of `flags/rules/`) and hold nothing but
codes, switches and thresholds, so the settings are read without importing a check;
`flags.registry` pairs each code with its rule.
"""

from __future__ import annotations

from pydantic import model_validator

from flags.codes import FlagCode
from flags.params import demand, forecast, history, lines, orders, precedent
from flags.params.review import ReviewSettings

__all__ = ["ALWAYS_HOLD", "CODES", "FlagRules"]

# Every reason code a rule writes; `tests/unit/test_flag_registry.py` checks the registry
# has exactly one rule for each.
CODES: frozenset[FlagCode] = frozenset(
    (*lines.CODES, *orders.CODES, *forecast.CODES, *history.CODES, *demand.CODES,
     *precedent.CODES)
)  # fmt: skip


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
    the shared review settings (`flags.params.review`) and each rule module's part.

    Why assembled by inheritance: each rule's switch and thresholds stay in one part per
    rule module, and `settings.flags.line_value_limit` still type-checks (a model built
    at run time with `create_model` would hide every key from mypy).
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
        return frozenset(str(code) for code in CODES if self.is_on(code))


# Codes no setting can switch off or demote to information.
ALWAYS_HOLD: frozenset[FlagCode] = frozenset(
    code for code in CODES if FlagRules.switch_of(code) is None
)
