"""Reconciliation: what we sent against what the ERP holds under our keys.

Buyers work in the ERP after we hand an order over: they change a quantity, cancel an
order, or enter one by hand under our key. Reconciliation lists the ERP's orders that
carry our keys (`RPL-...`) and reports three things: orders we sent that the ERP does not
hold, orders the ERP holds that we have not recorded as sent, and quantities that differ
per SKU. `compare` is pure; `reconcile` reads both sides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from integrations.erp.base import ErpAdapter, ErpHeldOrder, ReconcilableErp
from services.submission import ordered_quantity
from storage.unit_of_work import UnitOfWork


class CannotReconcile(Exception):
    """The configured ERP adapter cannot list the orders it holds."""


@dataclass(frozen=True)
class QuantityDifference:
    po_key: str
    sku: str
    ours: Decimal
    theirs: Decimal


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

    @property
    def agrees(self) -> bool:
        return not (self.missing_in_erp or self.not_recorded_here or self.quantities)

    def as_dict(self) -> dict[str, object]:
        return {
            "erp": self.erp,
            "since": self.since.isoformat() if self.since else None,
            "matched": self.matched,
            "agrees": self.agrees,
            "missing_in_erp": self.missing_in_erp,
            "not_recorded_here": self.not_recorded_here,
            "quantity_differences": [
                {"po_key": d.po_key, "sku": d.sku, "ours": plain(d.ours), "theirs": plain(d.theirs)}
                for d in self.quantities
            ],
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
    for order in theirs:
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
        result.not_recorded_here[key] = our_status.get(key, "unknown")
    return result


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
    """The reconciliation as the nightly run's artifact: a table of every difference."""
    since = f" since {result.since}" if result.since else ""
    head = f"# ERP reconciliation ({result.erp}{since})\n\n"
    if result.agrees:
        return head + f"All {result.matched} orders sent agree with the ERP.\n"
    rows = [
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
        + f"{result.matched} orders agree; {len(rows)} differences:\n\n"
        + "| order | difference | ours | ERP |\n| --- | --- | --- | --- |\n"
        + "\n".join(rows)
        + "\n"
    )


def _cell(text: str) -> str:
    """An ERP's value in a table cell: no pipe or line break may reshape the table."""
    return " ".join(text.split()).replace("|", "\\|")


def plain(quantity: Decimal) -> str:
    """6.000 as 6, 2.50 as 2.5: quantities as a person writes them."""
    return format(quantity.normalize(), "f")
