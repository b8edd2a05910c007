"""The ERP port: what the submit stage (and a rollback) needs from any ERP, and no more.

Adapters raise `ErpUnavailable` for what may pass (the submit stage retries with backoff
and stops calling after a few in a row) and `ErpRejected` for what will not (that order
fails with the ERP's message, the operator is told, the other orders go on).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

#: Every key we create starts with this (purchasing.orders.po_key): an ERP order carrying
#: it is ours, whatever else the ERP holds.
KEY_PREFIX = "RPL-"


class ErpOrderLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    sku: str
    description: str = ""
    quantity: Decimal
    unit_price: Decimal
    line_value: Decimal


class ErpOrder(BaseModel):
    """A purchase order as the ERP receives it; `po_key` is the idempotency key."""

    model_config = ConfigDict(frozen=True)

    po_key: str
    supplier_id: str
    location: str
    order_date: date
    expected_delivery: date
    currency: str
    value: Decimal
    lines: tuple[ErpOrderLine, ...]


class ErpReceipt(BaseModel):
    """What the ERP says it holds for a key: its own reference for the order."""

    model_config = ConfigDict(frozen=True)

    po_key: str
    external_ref: str
    created: bool


class ErpHeldOrder(BaseModel):
    """An order as the ERP holds it now, for reconciliation: a buyer may have changed it."""

    model_config = ConfigDict(frozen=True)

    po_key: str
    external_ref: str
    order_date: date | None = None
    quantities: dict[str, Decimal]  # per SKU, summed over the order's lines
    #: False while the order waits inside the ERP (a quotation for its approvers).
    placed: bool = True
    #: Who last changed it in the ERP, and when (where the ERP says): named in alerts.
    changed_by: str = ""
    changed_at: datetime | None = None


class ErpCancellation(BaseModel):
    """The ERP's answer to "cancel the order under this key" (a rollback).

    `cancelled`: cancelled now. `already_cancelled`: it was (a retry after a lost answer).
    `not_held`: the ERP holds nothing under the key (it never arrived). `too_late`: the ERP
    keeps the order (placed with the supplier); `reason` says why, in the ERP's words.
    """

    model_config = ConfigDict(frozen=True)

    po_key: str
    outcome: Literal["cancelled", "already_cancelled", "not_held", "too_late"]
    external_ref: str = ""
    reason: str = ""


class ErpError(RuntimeError):
    """The ERP refused or could not be reached; the message is shown to the operator."""


class ErpUnavailable(ErpError):
    """A transient failure (timeout, 5xx, connection refused): worth retrying later."""


class ErpRejected(ErpError):
    """A business refusal (4xx, an ERP user error): that order fails with the ERP's message."""


class ErpAdapter(Protocol):
    """Adapters must be idempotent on `po_key`: submitting a key twice creates one order."""

    name: str

    def find(self, po_key: str) -> ErpReceipt | None:
        """The order the ERP already holds under this key, if any."""
        ...

    def submit(self, order: ErpOrder) -> ErpReceipt:
        """Create the order, or return the existing one if the key is already there."""
        ...

    def cancel(self, order: ErpOrder, reason: str) -> ErpCancellation:
        """Cancel the order held under `order.po_key`, once: asking again after a lost
        answer says `already_cancelled`, never cancels (or creates) anything twice."""
        ...


@runtime_checkable
class CheckableErp(Protocol):
    """An ERP that can say what its setup lacks before a night relies on it (`replenish erp
    check`, and every run's start): the product's user and rights, the master data."""

    name: str

    def setup_problems(self, suppliers: set[str], skus: set[str], locations: set[str]) -> list[str]:
        """One sentence per thing missing, each saying what to set up; [] when ready.
        With empty sets only the connection, the user and its rights are checked."""
        ...


@runtime_checkable
class ReconcilableErp(Protocol):
    """An ERP that can list what it holds, for `replenish reconcile` (optional: an adapter
    that cannot list its orders still submits; reconciliation then says so)."""

    name: str

    def list_orders(self, since: date | None) -> list[ErpHeldOrder]:
        """Every order the ERP holds under one of our keys (`RPL-...`), dated `since` or later."""
        ...
