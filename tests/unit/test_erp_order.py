"""What the ERP receives for an approved order: the buyer's quantities, values to the cent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from services.submission import erp_order
from storage.models import OrderLine, PurchaseOrder


def order(*lines: tuple[str, str, str | None, str]) -> PurchaseOrder:
    po = PurchaseOrder(
        po_key="RPL-20261125-S1-DC",
        supplier_id="S1",
        location="DC",
        order_date=date(2026, 11, 25),
        expected_delivery=date(2026, 12, 2),
        currency="EUR",
        value=Decimal("0"),
    )
    po.lines = [
        OrderLine(
            sku=sku,
            location="DC",
            proposed_quantity=Decimal(proposed),
            approved_quantity=None if approved is None else Decimal(approved),
            unit_cost=Decimal(cost),
            line_value=Decimal(proposed) * Decimal(cost),
            explanation="",
        )
        for sku, proposed, approved, cost in lines
    ]
    return po


def test_proposed_quantities_go_out_when_nobody_changed_them() -> None:
    sent = erp_order(order(("A", "12", None, "2.5"), ("B", "6", None, "1.333")))
    assert [(line.sku, line.quantity, line.line_value) for line in sent.lines] == [
        ("A", Decimal("12"), Decimal("30.00")),
        ("B", Decimal("6"), Decimal("8.00")),
    ]
    assert sent.value == Decimal("38.00")


def test_a_buyers_quantity_wins_and_zero_drops_the_line() -> None:
    sent = erp_order(order(("A", "12", "24", "2.5"), ("B", "6", "0", "1.333")))
    assert [(line.sku, line.quantity) for line in sent.lines] == [("A", Decimal("24"))]
    assert sent.value == Decimal("60.00")
