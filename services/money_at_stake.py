"""Money at stake: one definition, used by every surface a person reads (docs/flag-rules.md).

For an order waiting for a decision it is the value the decision changes: the value of
its held lines at the quantities that would be ordered now. Only held lines sit on a
review order (`-R`); an order-level flag, or a split that would leave tonight's part
below the supplier's minimum, holds the whole order, so every line of a waiting order
is a held line. For a flag it is the part of that value the flag questions (the rule
computes it: the line's value, the spend above the usual, the excess the terms force).

The review page's header, the digest, the e-mail, `replenish review list|show` and the
run summary all call `order_money_at_stake`; the flags keep their own amount.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Protocol

from domain.quantities import LineQuantities, line_value, ordered_quantity


class PricedLine(LineQuantities, Protocol):
    @property
    def unit_cost(self) -> Decimal: ...


class HeldOrder(Protocol):
    @property
    def lines(self) -> Iterable[PricedLine]: ...


def order_money_at_stake(po: HeldOrder) -> Decimal:
    """The value of the order's held lines at the quantities ordered now, to the cent."""
    return sum(
        (line_value(ordered_quantity(line), line.unit_cost) for line in po.lines),
        Decimal("0.00"),
    )
