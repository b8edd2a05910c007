"""The review-flag settings (`[flags]`), apart from the rules that read them.

`flag_rules.FlagRules` is the one settings model, assembled from `review` (the settings
every rule shares) and one part per module of `flags/rules/` (its reason codes, switches
and thresholds). Models only: `settings.Settings` depends on these, never on a check.
"""

from flags.params.flag_rules import ALWAYS_HOLD, CODES, FlagRules
from flags.params.review import ReviewSettings

__all__ = ["ALWAYS_HOLD", "CODES", "FlagRules", "ReviewSettings"]
