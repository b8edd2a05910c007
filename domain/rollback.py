"""Rolling a night back: what happens to each of its orders, and the report a person reads.

Pure values and rules, shared by the use case (`services.rollback`), the e-mail, the CLI
and the Prefect flow. The rule (`step_for`): an order that cannot have reached the ERP is
withdrawn at once; one that may have (a submission was claimed for it, or it was handed
to the ERP for approval there) is cancelled through the ERP, which alone knows whether it
holds it; an order already rejected, expired or rolled back is left as it is.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from domain.lifecycle import OrderStatus


class Step(StrEnum):
    WITHDRAW = "withdraw"
    CANCEL = "cancel"
    LEAVE = "leave"


class Outcome(StrEnum):
    """What became of one order; `pending` only while its ERP cancellation is under way."""

    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"
    TOO_LATE = "too_late"
    FAILED = "failed"
    UNCHANGED = "unchanged"
    PENDING = "pending"


#: The order never left us: taking it back is a state change, no ERP call.
_UNSENT = frozenset({OrderStatus.AUTO_APPROVED, OrderStatus.PENDING_REVIEW, OrderStatus.APPROVED})
#: The ERP may hold it: only the ERP can say, so it is asked to cancel.
_MAYBE_SENT = frozenset({OrderStatus.SUBMITTING, OrderStatus.SUBMITTED, OrderStatus.CONFIRMED,
                         OrderStatus.FAILED, OrderStatus.CANCELLING})  # fmt: skip


def step_for(status: str, handed_to_erp: bool) -> Step:
    """What a rollback does to an order in `status`.

    `handed_to_erp`: a submission was claimed for it, or it went to the ERP's own approvers
    (`erp.tryton.approval = "erp"`): the ERP may hold a purchase under its key even though
    our side has not recorded it as sent, so it is cancelled there, not merely withdrawn.
    """
    state = OrderStatus(status)
    if state in _MAYBE_SENT or (state in _UNSENT and handed_to_erp):
        return Step.CANCEL
    if state in _UNSENT:
        return Step.WITHDRAW
    return Step.LEAVE


@dataclass(frozen=True)
class OrderOutcome:
    """One order's outcome, with the sentence that explains it (the ERP's reason if any)."""

    po_key: str
    outcome: Outcome
    detail: str = ""


@dataclass(frozen=True)
class RollbackReport:
    """A rollback as the administrator, the buyers and the operator read it."""

    run_id: str
    as_of: date
    requested_by: str
    channel: str
    reason: str
    requested_at: datetime
    orders: list[OrderOutcome] = field(default_factory=list)
    #: True when this request found the night rolled back already and changed nothing.
    already_rolled_back: bool = False

    def counts(self) -> dict[str, int]:
        """Orders per outcome, every outcome named (zeros included), in a fixed order."""
        tally = Counter(order.outcome for order in self.orders)
        return {outcome.value: tally.get(outcome, 0) for outcome in Outcome}

    @property
    def complete(self) -> bool:
        """Every order taken back (or left as it was): nothing too late, failed or pending."""
        stuck = {Outcome.TOO_LATE, Outcome.FAILED, Outcome.PENDING}
        return not any(order.outcome in stuck for order in self.orders)

    def as_dict(self) -> dict[str, object]:
        """The report as JSON-ready values (`replenish rollback --json`, the flow's result)."""
        return {
            "run_id": self.run_id,
            "as_of": self.as_of.isoformat(),
            "requested_by": self.requested_by,
            "channel": self.channel,
            "reason": self.reason,
            "requested_at": self.requested_at.isoformat(),
            "already_rolled_back": self.already_rolled_back,
            "complete": self.complete,
            "counts": self.counts(),
            "orders": [
                {"po_key": o.po_key, "outcome": o.outcome.value, "detail": o.detail}
                for o in self.orders
            ],
        }

    def headline(self) -> str:
        """One line: what happened to the night, for a subject, a log and the CLI."""
        if self.already_rolled_back:
            return (
                f"Night {self.as_of} (run {self.run_id}) was already rolled back by "
                f"{self.requested_by} on {self.requested_at:%d %b %Y at %H:%M} UTC: "
                "nothing changed now"
            )
        return f"Night {self.as_of} (run {self.run_id}) rolled back by {self.requested_by}"

    def count_sentence(self) -> str:
        """'2 withdrawn, 3 cancelled, 1 too late, 0 failed (1 left as it was)'."""
        counts = self.counts()
        text = (
            f"{counts['withdrawn']} withdrawn, {counts['cancelled']} cancelled, "
            f"{counts['too_late']} too late, {counts['failed']} failed"
        )
        if counts["pending"]:
            text += f", {counts['pending']} cancellation(s) under way"
        if counts["unchanged"]:
            text += f" ({counts['unchanged']} left as they were)"
        return text
