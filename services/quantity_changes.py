"""A person's change of quantities on an order: checked, and kept beside the proposal.

Every channel (review page, CLI, Prefect UI form) decides through `services.decisions`,
which calls `changed_quantities` here: a quantity that breaks the supplier's terms (a
part pack, below the MOQ, above the maximum) is refused with a sentence naming the rule
(`purchasing.supplier_terms`), so no channel can hand the ERP such a quantity.

The proposal itself is never overwritten: a changed quantity is compared with what the
order holds now (an earlier approver's quantity, else the proposal) and recorded in the
audit trail with both.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from domain.quantities import ordered_quantity
from purchasing.supplier_terms import SupplierTerms
from services.refusals import InvalidDecision
from storage.models import PurchaseOrder

# Quantities are stored as Numeric(20, 3): anything this large is a typing slip.
MAX_QUANTITY = Decimal("1000000000")


def changed_quantities(
    order: PurchaseOrder, quantities: Mapping[str, Decimal]
) -> dict[str, Decimal]:
    """Quantities that differ from what the order holds now (an earlier approver's
    quantity, else the proposal); the proposal itself is never overwritten."""
    current = {line.sku: ordered_quantity(line) for line in order.lines}
    unknown = sorted(set(quantities) - set(current))
    if unknown:
        raise InvalidDecision(f"purchase order {order.po_key} has no line for {', '.join(unknown)}")
    changed: dict[str, Decimal] = {}
    for sku, quantity in quantities.items():
        value = Decimal(quantity)
        problem = quantity_problem(value)
        if problem:
            raise InvalidDecision(f"{sku}: {problem}")
        if value != current[sku]:
            changed[sku] = value
    broken = terms_breaches(order, changed)
    if broken:
        raise InvalidDecision("; ".join(f"{sku}: {why}" for sku, why in broken.items()))
    if current and all(changed.get(sku, qty) == 0 for sku, qty in current.items()):
        raise InvalidDecision(
            f"every line of {order.po_key} would be zero: reject the order instead"
        )
    return changed


def quantity_problem(value: Decimal) -> str | None:
    """Why `value` is no quantity at all (negative, not a number, absurdly large)."""
    if not value.is_finite() or value < 0 or value >= MAX_QUANTITY:
        return f"a quantity must be a number from 0 to {MAX_QUANTITY - 1:,}, not {value}"
    return None


def terms_breaches(order: PurchaseOrder, quantities: Mapping[str, Decimal]) -> dict[str, str]:
    """Per sku, why the supplier would not accept the quantity (none: nothing to say)."""
    terms = {line.sku: SupplierTerms.of(line.details) for line in order.lines}
    found = {sku: terms[sku].breach(Decimal(q)) for sku, q in quantities.items() if sku in terms}
    return {sku: why for sku, why in found.items() if why}


def change_details(order: PurchaseOrder, changed: Mapping[str, Decimal]) -> dict[str, object]:
    if not changed:
        return {}
    lines = {line.sku: line for line in order.lines}
    return {
        "quantities": {
            sku: {
                "proposed": str(lines[sku].proposed_quantity),
                "before": str(ordered_quantity(lines[sku])),
                "approved": str(value),
            }
            for sku, value in changed.items()
        }
    }
