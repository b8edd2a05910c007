"""Money in several currencies: limits are set in one base currency and compared in each
order's own currency through a conversion table; totals are kept per currency.

A limit of 10,000 means 10,000 of the base currency. An order in another currency is
compared with the limit converted at the configured rate, and a currency the table does
not know is an error naming it: comparing 10,000 yen with a limit of 10,000 euros would
silently wave through (or hold) the wrong orders.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator


class MissingExchangeRate(ValueError):
    """An amount is in a currency the conversion table has no rate for."""


class Currencies(BaseModel):
    """The base currency of every money setting, and what one unit of each other is worth.

    `rates = {USD = 0.92}` reads "1 USD is worth 0.92 of the base currency". Blank
    currencies (a supplier that states none) are the base currency.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    base: str = Field(
        default="EUR",
        min_length=1,
        description="Currency of every money threshold in the settings (flag limits, "
        "routing tiers, authority limits).",
    )
    rates: dict[str, float] = Field(
        default_factory=dict,
        description="Value of one unit of each other currency in the base currency.",
    )

    @field_validator("rates")
    @classmethod
    def _positive(cls, rates: dict[str, float]) -> dict[str, float]:
        bad = sorted(code for code, rate in rates.items() if not rate > 0)
        if bad:
            raise ValueError(f"exchange rates must be positive: {', '.join(bad)}")
        return {code.strip().upper(): float(rate) for code, rate in rates.items()}

    def rate_of(self, currencies: pd.Series) -> pd.Series:
        """Base-currency value of one unit of each row's currency (1.0 for the base).

        Raises MissingExchangeRate naming every currency the table lacks.
        """
        code = normalise(currencies, self.base)
        table = {**self.rates, self.base.upper(): 1.0}
        rate = code.map(table)
        missing = sorted(set(code[rate.isna()]))
        if missing:
            raise MissingExchangeRate(missing_message(missing, self.base))
        return rate.astype(float)

    def to_base(self, amounts: pd.Series, currencies: pd.Series) -> pd.Series:
        return amounts.astype(float) * self.rate_of(currencies).to_numpy()

    def from_base(self, amounts: pd.Series, currencies: pd.Series) -> pd.Series:
        """A base-currency amount (a limit) expressed in each row's currency."""
        return amounts.astype(float) / self.rate_of(currencies).to_numpy()


def normalise(currencies: pd.Series, base: str) -> pd.Series:
    """Upper-case codes; a blank or missing currency is the base currency."""
    code = currencies.astype(object).where(currencies.notna(), "").astype(str).str.strip()
    return code.str.upper().mask(code == "", base.upper())


def missing_message(missing: Iterable[str], base: str) -> str:
    codes = ", ".join(missing)
    return (
        f"no exchange rate for {codes}: money limits are set in {base}; add "
        f"[currency] rates = {{ {codes.split(', ')[0]} = <value of 1 unit in {base}> }} "
        "to the config so orders in that currency can be compared with them"
    )


def totals_by_currency(amounts: pd.Series, currencies: pd.Series, base: str) -> dict[str, float]:
    """{currency: sum}, never adding unlike amounts; sorted by currency code."""
    if amounts.empty:
        return {}
    summed = amounts.astype(float).groupby(normalise(currencies, base).to_numpy()).sum()
    return {str(code): round(float(value), 2) for code, value in summed.sort_index().items()}
