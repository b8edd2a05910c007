"""Money: one type (`Decimal`, rounded to the cent) and one way to write it for a person.

The core computes over whole frames in floats; an amount becomes a `Decimal` where it
leaves the core for a person or the ERP (`to_money` when a frame is written down,
`round_money` for a value computed from stored decimals), and every text a person reads
writes it with `format_money` (e-mails, review pages, the CLI, Prefect artifacts, flag
sentences). One formatter, so the ERP, the e-mail and the page agree to the character.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

__all__ = ["CENT", "format_amount", "format_money", "format_totals", "round_money", "to_money"]

CENT = Decimal("0.01")


def round_money(amount: Decimal) -> Decimal:
    """To the cent, half up: the rounding of the ERP, the review page and the audit trail."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def to_money(value: float | Decimal) -> Decimal:
    """A float from a frame as money. Through its shortest text (`str`), so 2.675 is
    2.68 as a person reads it, not the 2.67 of its binary value."""
    return round_money(Decimal(str(float(value))))


def format_amount(amount: Decimal | float) -> str:
    """`1,234.50`: comma thousands, two decimals.

    A float is written as it is, not converted first: a frame's float and the same
    amount once stored as a `Decimal` read the same, and a float column formats without
    a detour (`amounts.map(format_amount)`).
    """
    return f"{amount:,.2f}"


def format_money(amount: Decimal | float, currency: str) -> str:
    """`EUR 1,234.50`: the currency code, a space, the amount."""
    return f"{currency} {format_amount(amount)}"


def format_totals(amounts: Mapping[str, Decimal | float]) -> str:
    """`EUR 1,200.00 + USD 80.00`, in the mapping's order: unlike money is never added;
    empty when there is nothing."""
    return " + ".join(format_money(amount, code) for code, amount in amounts.items())
