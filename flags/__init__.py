"""The exception rules: which order lines and orders a person must see, and why.

Pure functions over the frames in docs/frames.md. Adding a rule is one module in
`flags/rules/` and one entry in `flags/registry.py` (docs/flag-rules.md lists them).
"""

from flags.codes import FlagCode
from flags.params import FlagRules
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
