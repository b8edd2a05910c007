"""Whether a quantity a person typed respects the supplier's terms (pack, MOQ, maximum).

The nightly arithmetic (`purchasing.quantities`) only ever produces allowed quantities;
a person's edit can produce any number. The product REFUSES an edit that breaks the
terms, with a sentence naming the rule and the nearest quantities the supplier accepts,
rather than rounding it silently: the buyer typed a number on purpose, and a quantity
the buyer did not choose must never reach the supplier (docs/review-server.md).

The rules are those of `quantity_steps`, for one line: 0 always drops the line; any
other quantity is a whole number of packs, at least the MOQ rounded up to whole packs
(and at least one pack), and at most the maximum rounded down to whole packs, unless
that maximum is below the smallest order the supplier accepts (then it is ignored, as
the nightly run ignores it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any


@dataclass(frozen=True)
class SupplierTerms:
    """One line's terms; `maximum` None = no cap."""

    pack: Decimal
    moq: Decimal
    maximum: Decimal | None

    @classmethod
    def of(cls, details: dict[str, Any] | None) -> SupplierTerms:
        """From an order line's stored `details` (pack_size, moq, max_order_qty)."""
        details = details or {}
        pack = _number(details.get("pack_size")) or Decimal(1)
        return cls(
            pack=max(pack, Decimal(1)),  # a pack below one unit is a data error
            moq=_number(details.get("moq")) or Decimal(0),
            maximum=_number(details.get("max_order_qty")),
        )

    @property
    def smallest(self) -> Decimal:
        """The smallest quantity above 0 the supplier accepts: the MOQ in whole packs."""
        return max(self.pack, _packs(self.moq, self.pack, ROUND_CEILING))

    @property
    def largest(self) -> Decimal | None:
        """The largest quantity allowed, in whole packs; None when there is no usable cap."""
        if self.maximum is None:
            return None
        cap = _packs(self.maximum, self.pack, ROUND_FLOOR)
        return cap if cap >= self.smallest else None

    def breach(self, quantity: Decimal) -> str | None:
        """None when the supplier accepts `quantity`, else the sentence that says why not
        and which quantities nearby it would accept."""
        if quantity == 0:
            return None
        pack, smallest, largest = self.pack, self.smallest, self.largest
        if quantity < smallest:
            why = (
                f"is below the supplier's minimum order of {_q(smallest)}"
                if smallest > pack
                else f"is less than one pack of {_q(pack)}"
            )
            return f"{_q(quantity)} {why}: order 0 or {_q(smallest)}"
        if largest is not None and quantity > largest:
            return (
                f"{_q(quantity)} is above the supplier's maximum of {_q(largest)} a line: "
                f"order at most {_q(largest)}"
            )
        if quantity % pack:
            below = _packs(quantity, pack, ROUND_FLOOR)
            options = [q for q in (below, below + pack) if q >= smallest and
                       (largest is None or q <= largest)]  # fmt: skip
            return (
                f"{_q(quantity)} is not a whole number of packs of {_q(pack)}: order "
                + " or ".join(_q(q) for q in options)
            )
        return None


def _packs(quantity: Decimal, pack: Decimal, rounding: str) -> Decimal:
    return (quantity / pack).to_integral_value(rounding=rounding) * pack


def _number(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if math.isnan(number) or math.isinf(number):
        return None
    return Decimal(str(value)).normalize() if number > 0 else Decimal(0)


def _q(quantity: Decimal) -> str:
    text = f"{quantity.normalize():f}"
    return f"{Decimal(text):,}" if "." not in text else text
