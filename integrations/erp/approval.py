"""The optional port for approval inside the ERP: hand an order over, read verdicts back.

An ERP with its own approval workflow (Tryton's approver group) decides flagged orders
there; replenish hands them over and, on a later run, records what the ERP decided.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

from integrations.erp.base import ErpOrder, ErpReceipt


class ErpVerdict(BaseModel):
    """A decision taken inside the ERP on an order handed over for approval."""

    model_config = ConfigDict(frozen=True)

    po_key: str
    outcome: Literal["approve", "reject"]
    #: The ERP user's login, for approvals and rejections alike (one form of identity).
    decided_by: str
    decided_by_name: str = ""
    decided_at: datetime | None = None
    external_ref: str

    def who(self) -> str:
        """The person as an operator reads it: "Ann Approver (approver)"."""
        if not self.decided_by_name:
            return self.decided_by
        return f"{self.decided_by_name} ({self.decided_by})"


@runtime_checkable
class ApprovingErp(Protocol):
    name: str

    def approves_in_erp(self) -> bool:
        """True when the settings hand approval to the ERP's own approvers."""
        ...

    def hand_over(self, order: ErpOrder) -> ErpReceipt:
        """Put the order before the ERP's approvers (once per key)."""
        ...

    def decisions(self, po_keys: list[str]) -> list[ErpVerdict]:
        """The verdicts the ERP's approvers reached on these keys so far."""
        ...
