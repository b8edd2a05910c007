"""Money is written one way: the one formatter, its rounding, and that a float from a
frame and the same amount stored as a Decimal read the same."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.money import format_amount, format_money, format_totals, round_money, to_money


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (0, "0.00"),
        (1234.5, "1,234.50"),
        (Decimal("1234567.891"), "1,234,567.89"),
        (-12.5, "-12.50"),
        (Decimal("0.125"), "0.12"),  # as `:,.2f` always wrote it: half to even
    ],
)
def test_amounts_are_written_with_comma_thousands_and_two_decimals(
    amount: float | Decimal, text: str
) -> None:
    assert format_amount(amount) == text


def test_money_puts_the_currency_code_first_and_totals_never_add_unlike_money() -> None:
    assert format_money(Decimal("21065.34"), "EUR") == "EUR 21,065.34"
    assert format_totals({"EUR": 1200.0, "USD": Decimal("80")}) == "EUR 1,200.00 + USD 80.00"
    assert format_totals({}) == ""


def test_money_is_rounded_to_the_cent_half_up_from_its_shortest_text() -> None:
    assert to_money(2.675) == Decimal("2.68")  # its binary value is 2.67499...
    assert round_money(Decimal("0.125")) == Decimal("0.13")


@given(st.integers(min_value=-(10**13), max_value=10**13))
def test_a_float_and_its_stored_decimal_read_the_same(cents: int) -> None:
    stored = Decimal(cents) / 100
    assert format_amount(float(stored)) == format_amount(stored)
    assert format_amount(round(float(stored), 2)) == format_amount(to_money(float(stored)))
