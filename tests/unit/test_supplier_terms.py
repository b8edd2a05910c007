"""A buyer's quantity against the supplier's terms: refused with the rule and the nearest
quantities allowed, never rounded (docs/review-server.md)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from purchasing.supplier_terms import SupplierTerms

PACK_10 = {"pack_size": 10, "moq": 10.0, "max_order_qty": None}
MOQ_250 = {"pack_size": 50, "moq": 250.0, "max_order_qty": 2500.0}


@pytest.mark.parametrize(
    ("details", "typed", "refusal"),
    [
        (PACK_10, "7.5", "7.5 is less than one pack of 10: order 0 or 10"),
        (PACK_10, "15", "15 is not a whole number of packs of 10: order 10 or 20"),
        (PACK_10, "0", None),  # 0 drops the line
        (PACK_10, "30", None),
        (MOQ_250, "100", "100 is below the supplier's minimum order of 250: order 0 or 250"),
        (MOQ_250, "260", "260 is not a whole number of packs of 50: order 250 or 300"),
        (MOQ_250, "2550", "2,550 is above the supplier's maximum of 2,500 a line"),
        (MOQ_250, "2500", None),
        # A maximum below the smallest order the supplier accepts is ignored, as the
        # nightly arithmetic ignores it (purchasing.quantities, max_below_minimum).
        ({"pack_size": 12, "moq": 24, "max_order_qty": 10}, "36", None),
        ({}, "3.5", "3.5 is not a whole number of packs of 1: order 3 or 4"),
    ],
)
def test_a_quantity_the_supplier_refuses_is_named_with_its_rule(
    details: dict[str, object], typed: str, refusal: str | None
) -> None:
    found = SupplierTerms.of(details).breach(Decimal(typed))
    if refusal is None:
        assert found is None
    else:
        assert found is not None
        assert found.startswith(refusal)


@given(
    pack=st.integers(1, 100),
    moq_packs=st.integers(0, 20),
    quantity=st.integers(0, 5000),
)
def test_every_accepted_quantity_is_zero_or_whole_packs_at_least_the_minimum(
    pack: int, moq_packs: int, quantity: int
) -> None:
    terms = SupplierTerms.of({"pack_size": pack, "moq": moq_packs * pack, "max_order_qty": None})
    if terms.breach(Decimal(quantity)) is None:
        assert quantity == 0 or (quantity % pack == 0 and quantity >= max(pack, moq_packs * pack))
    else:
        assert quantity != 0
