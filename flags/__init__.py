"""The exception rules: which order lines and orders a person must see, and why.

Pure functions over the frames in docs/frames.md. Imports run one way: `codes` (what a
reason code is) < `rule` (what a rule and its settings part are) < `rules/*` (each
module the one home of its rules: codes, checks, sentences, switches and thresholds) <
`params` (the review settings every rule shares) < `registry` (the list of rule modules
and `FlagRules`, the one settings model assembled from their parts) < `review`,
`split`, `capacity`. Adding a rule touches its rule module, and for a new module the
registry; docs/flag-rules.md lists them.

`FlagRules` (so the registry and the rule modules) is imported with the package: the
settings need it. The rule modules import nothing heavy at module level (pandas, not
scipy or a forecasting engine); `flag_orders`, `hold_flagged_lines`, ... are imported
on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.lazy_exports import lazy_exports
from flags.codes import FlagCode
from flags.registry import FlagRules

if TYPE_CHECKING:
    from flags.review import AUTO_APPROVED, PENDING_REVIEW, flag_orders, order_decisions
    from flags.split import REVIEW_SUFFIX, hold_flagged_lines

__all__ = [
    "AUTO_APPROVED",
    "PENDING_REVIEW",
    "REVIEW_SUFFIX",
    "FlagCode",
    "FlagRules",
    "flag_orders",
    "hold_flagged_lines",
    "order_decisions",
]

_LAZY = {
    "AUTO_APPROVED": "flags.review",
    "PENDING_REVIEW": "flags.review",
    "flag_orders": "flags.review",
    "order_decisions": "flags.review",
    "REVIEW_SUFFIX": "flags.split",
    "hold_flagged_lines": "flags.split",
}

__getattr__ = lazy_exports(__name__, _LAZY)
