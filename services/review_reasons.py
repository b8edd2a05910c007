"""Why an order is in front of a person, in order: what holds it first, what only informs
after, each flag with its sentence and the part of the value it questions.

Which stored flag holds is decided as the nightly run decided it (`FlagRules.holds_by_rule`,
with the settings the reader has); an order that went out without a person (auto-approved,
never routed) was held by nothing, so all its flags inform. A waiting order none of
whose flags holds by the rules (a capacity decision, changed settings) shows them all as
holding: something held it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from approvals.reason_words import reason_words
from domain.lifecycle import AWAITING_DECISION, OrderStatus
from flags import FlagRules
from storage.models import PurchaseOrder


@dataclass(frozen=True)
class Reason:
    code: str
    sku: str | None
    message: str
    money_at_stake: Decimal  # the part of the order's value this flag questions
    holds: bool

    @property
    def words(self) -> str:
        return reason_words(self.code)


def order_reasons(po: PurchaseOrder, rules: FlagRules) -> list[Reason]:
    """Holding reasons first, then informing ones; each group by money at stake."""
    flags = list(po.flags)
    if not flags:
        return []
    # An order not stored yet (no status) is one being proposed for review; a decided one
    # was held if it was routed to a person (only held orders are routed).
    waiting = (
        po.status is None or OrderStatus(po.status) in AWAITING_DECISION or po.approver is not None
    )
    holds = [False] * len(flags)
    if waiting:
        frame = pd.DataFrame(
            {
                "code": [f.code for f in flags],
                "sku": [f.sku for f in flags],
                "money_at_stake": [float(f.money_at_stake) for f in flags],
            }
        )
        holds = [bool(h) for h in rules.holds_by_rule(frame)]
        if not any(holds):
            holds = [True] * len(flags)
    reasons = [
        Reason(f.code, f.sku, f.message, f.money_at_stake, held)
        for f, held in zip(flags, holds, strict=True)
    ]
    return sorted(reasons, key=lambda r: (not r.holds, -r.money_at_stake, r.code, r.sku or ""))


def main_reason(reasons: list[Reason]) -> str:
    """The first holding reason in words, with how many more there are."""
    held = [r for r in reasons if r.holds] or reasons
    if not held:
        return ""
    codes = list(dict.fromkeys(r.code for r in held))
    more = len(codes) - 1
    extra = f" (+{more} more)" if more else ""
    return reason_words(codes[0]) + extra
