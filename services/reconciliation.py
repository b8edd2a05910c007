"""Reconciliation: what we sent against what the ERP holds under our keys.

Buyers work in the ERP after we hand an order over: they change a quantity, cancel an
order, or enter one by hand under our key. Reconciliation lists the ERP's orders that
carry our keys (`RPL-...`) and reports three things: orders we sent that the ERP does not
hold, orders the ERP holds that we have not recorded as sent, and quantities that differ
per SKU. `compare` is pure; `reconcile` reads both sides.

With approval inside the ERP some keys are routine, not differences: a quotation that
waits for the ERP's approvers (`waiting_in_erp`), one an approver confirmed since the last
run (`decided_in_erp`: the next run records it), the quotation of an order rejected here
that the next run cancels (`to_cancel_in_erp`). Each is its own state in the report. A
difference needs a person; the worst comes first: an order rejected, expired, withdrawn
or cancelled here that the ERP shows as placed (`confirmed_despite`), with the ERP user
and the time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from domain.lifecycle import OrderStatus
from integrations.erp.base import ErpAdapter, ErpHeldOrder, ReconcilableErp
from services.submission import ordered_quantity
from storage.unit_of_work import UnitOfWork

_WAITING = OrderStatus.PENDING_REVIEW.value
_DECIDED_AGAINST = {OrderStatus.REJECTED.value, OrderStatus.EXPIRED.value}
_NOT_ORDERED = {*_DECIDED_AGAINST, OrderStatus.WITHDRAWN.value, OrderStatus.CANCELLED.value}


class CannotReconcile(Exception):
    """The configured ERP adapter cannot list the orders it holds."""


@dataclass(frozen=True)
class QuantityDifference:
    po_key: str
    sku: str
    ours: Decimal
    theirs: Decimal


@dataclass(frozen=True)
class PlacedAgainstUs:
    """An order not to be ordered here that the ERP shows as placed: who, when."""

    po_key: str
    our_status: str
    external_ref: str
    changed_by: str
    changed_at: str


@dataclass
class Reconciliation:
    erp: str
    since: date | None
    matched: int = 0
    missing_in_erp: list[str] = field(default_factory=list)
    #: ERP orders under our keys that we have not recorded as sent, with our status
    #: ("unknown" when we have no such order at all).
    not_recorded_here: dict[str, str] = field(default_factory=dict)
    quantities: list[QuantityDifference] = field(default_factory=list)
    confirmed_despite: list[PlacedAgainstUs] = field(default_factory=list)
    #: Routine states of approval inside the ERP (not differences): key -> ERP reference.
    waiting_in_erp: dict[str, str] = field(default_factory=dict)
    decided_in_erp: dict[str, str] = field(default_factory=dict)
    to_cancel_in_erp: dict[str, str] = field(default_factory=dict)

    @property
    def differences(self) -> int:
        return (len(self.confirmed_despite) + len(self.missing_in_erp)
                + len(self.not_recorded_here) + len(self.quantities))  # fmt: skip

    @property
    def agrees(self) -> bool:
        return not self.differences

    def as_dict(self) -> dict[str, object]:
        return {
            "erp": self.erp,
            "since": self.since.isoformat() if self.since else None,
            "matched": self.matched,
            "agrees": self.agrees,
            "differences": self.differences,
            "confirmed_despite": [vars(p) for p in self.confirmed_despite],
            "missing_in_erp": self.missing_in_erp,
            "not_recorded_here": self.not_recorded_here,
            "quantity_differences": [
                {"po_key": d.po_key, "sku": d.sku, "ours": plain(d.ours), "theirs": plain(d.theirs)}
                for d in self.quantities
            ],
            "waiting_in_erp": self.waiting_in_erp,
            "decided_in_erp": self.decided_in_erp,
            "to_cancel_in_erp": self.to_cancel_in_erp,
        }


def compare(
    ours: Mapping[str, Mapping[str, Decimal]],
    theirs: Iterable[ErpHeldOrder],
    our_status: Mapping[str, str],
    *,
    erp: str,
    since: date | None,
) -> Reconciliation:
    """Sent orders (`ours`: key -> SKU -> quantity) against the ERP's; `our_status` names
    the state of ERP-held keys we have not recorded as sent."""
    result = Reconciliation(erp=erp, since=since)
    held: dict[str, dict[str, Decimal]] = {}
    erp_orders: dict[str, ErpHeldOrder] = {}
    for order in theirs:
        erp_orders.setdefault(order.po_key, order)
        quantities = held.setdefault(order.po_key, {})
        for sku, quantity in order.quantities.items():
            quantities[sku] = quantities.get(sku, Decimal(0)) + quantity
    for key in sorted(ours):
        if key not in held:
            result.missing_in_erp.append(key)
            continue
        zero = Decimal(0)
        differences = [
            QuantityDifference(key, sku, ours[key].get(sku, zero), held[key].get(sku, zero))
            for sku in sorted(set(ours[key]) | set(held[key]))
            if ours[key].get(sku, zero) != held[key].get(sku, zero)
        ]
        result.quantities.extend(differences)
        result.matched += not differences
    for key in sorted(set(held) - set(ours)):
        _sort_unsent(result, erp_orders[key], our_status.get(key, "unknown"))
    return result


def _sort_unsent(result: Reconciliation, order: ErpHeldOrder, status: str) -> None:
    """An ERP order under a key we have not recorded as sent: a routine state of approval
    inside the ERP, or a difference."""
    key, ref = order.po_key, order.external_ref
    if status == _WAITING:
        (result.decided_in_erp if order.placed else result.waiting_in_erp)[key] = ref
    elif status in _NOT_ORDERED and order.placed:
        at = f"{order.changed_at:%Y-%m-%d %H:%M} UTC" if order.changed_at else "unknown time"
        result.confirmed_despite.append(
            PlacedAgainstUs(key, status, ref, order.changed_by or "unknown user", at)
        )
    elif status in _DECIDED_AGAINST and not order.placed:
        result.to_cancel_in_erp[key] = ref
    else:
        result.not_recorded_here[key] = status


def reconcile(
    uow_factory: Callable[[], UnitOfWork], erp: ErpAdapter, since: date | None
) -> Reconciliation:
    """Compare the orders we sent since `since` with what the ERP holds under our keys."""
    if not isinstance(erp, ReconcilableErp):
        raise CannotReconcile(f"the {erp.name} ERP adapter cannot list the orders it holds")
    theirs = erp.list_orders(since)
    with uow_factory() as uow:
        ours: dict[str, dict[str, Decimal]] = {}
        for po in uow.orders.sent_since(since):
            quantities = ours.setdefault(po.po_key, {})
            for line in po.lines:
                if (quantity := ordered_quantity(line)) > 0:
                    quantities[line.sku] = quantities.get(line.sku, Decimal(0)) + quantity
        status = uow.orders.statuses({o.po_key for o in theirs} - set(ours))
    return compare(ours, theirs, status, erp=erp.name, since=since)


def as_markdown(result: Reconciliation) -> str:
    """The reconciliation as the nightly run's artifact: every difference, the worst
    first, then the orders in a routine state of approval inside the ERP."""
    since = f" since {result.since}" if result.since else ""
    head = f"# ERP reconciliation ({result.erp}{since})\n\n"
    routine = _routine(result)
    if result.agrees:
        return head + f"All {result.matched} orders sent agree with the ERP.\n" + routine
    rows = [
        *(
            f"| {_cell(p.po_key)} | {p.our_status} here, CONFIRMED in the ERP as "
            f"{_cell(p.external_ref)} by {_cell(p.changed_by)} at {p.changed_at} | "
            f"{p.our_status} | placed |"
            for p in result.confirmed_despite
        ),
        *(f"| {_cell(k)} | missing in the ERP | sent | - |" for k in result.missing_in_erp),
        *(
            f"| {_cell(k)} | not recorded as sent here | {s} | held |"
            for k, s in result.not_recorded_here.items()
        ),
        *(
            f"| {_cell(d.po_key)} | quantity of {_cell(d.sku)} | {plain(d.ours)} | "
            f"{plain(d.theirs)} |"
            for d in result.quantities
        ),
    ]
    return (
        head
        + f"{result.matched} orders agree; {len(rows)} "
        + ("difference needs" if len(rows) == 1 else "differences need")
        + " a person:\n\n"
        + "| order | difference | ours | ERP |\n| --- | --- | --- | --- |\n"
        + "\n".join(rows)
        + "\n"
        + routine
    )


def _routine(result: Reconciliation) -> str:
    """Approval inside the ERP, as it goes: counted and listed, never a difference."""
    parts = [
        (result.waiting_in_erp, "wait", "waits", "for the ERP's approvers (quotations)"),
        (result.decided_in_erp, "were", "was", "confirmed in the ERP; the next run records it"),
        (
            result.to_cancel_in_erp,
            "were",
            "was",
            "rejected here; the next run cancels the quotation",
        ),
    ]
    lines = [
        f"- {len(keys)} {many if len(keys) != 1 else one} {what}: "
        + ", ".join(f"{_cell(k)} ({_cell(ref)})" for k, ref in sorted(keys.items()))
        for keys, many, one, what in parts
        if keys
    ]
    return "\n## Not differences\n\n" + "\n".join(lines) + "\n" if lines else ""


def _cell(text: str) -> str:
    """An ERP's value in a table cell: no pipe or line break may reshape the table."""
    return " ".join(text.split()).replace("|", "\\|")


def plain(quantity: Decimal) -> str:
    """6.000 as 6, 2.50 as 2.5: quantities as a person writes them."""
    return format(quantity.normalize(), "f")
