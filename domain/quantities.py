"""What is ordered on a line, and what it costs: the buyer's quantity wins over the
proposal, and a value is rounded to the cent once, the same way everywhere (the ERP,
the review page and the audit trail must agree to the cent)."""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from domain.money import round_money


class LineQuantities(Protocol):
    """An order line as far as quantities go (the stored `OrderLine` is one)."""

    @property
    def proposed_quantity(self) -> Decimal: ...

    @property
    def approved_quantity(self) -> Decimal | None: ...


def ordered_quantity(line: LineQuantities) -> Decimal:
    """What is ordered for a line: the buyer's quantity where one was given, else the proposal."""
    return line.approved_quantity if line.approved_quantity is not None else line.proposed_quantity


def line_value(quantity: Decimal, unit_cost: Decimal) -> Decimal:
    """Quantity times unit cost, rounded half up to the cent."""
    return round_money(quantity * unit_cost)
