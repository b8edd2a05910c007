"""The exception rules: which order lines and orders a person must see, and why.

Pure functions over the frames in docs/frames.md. Imports run one way: `codes` (the
reason codes) < `params` (`FlagRules`, every setting) < `rule` < `rules/*` (the checks
and their sentences) < `registry` (the list of rule modules) < `review`, `split`,
`capacity`. Adding a rule: its check and `FlagRule` in a rule module, its code in
`FlagCode`, its settings in `FlagRules` (`flags/params.py` says why they live there)
and, for a new module, one line in the registry; docs/flag-rules.md lists them.
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
