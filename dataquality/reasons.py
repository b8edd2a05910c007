"""Reason codes for every repaired or quarantined input row.

The codes are a contract with buyers, operators and later stages (the exception flags,
the run summary, the CLI), so they live in one place with the sentence that explains
each of them; a new check adds its code here first.
"""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """Why a row was repaired or quarantined; the value is the code written to reports."""

    # repairs: the row is kept, the change is recorded
    TRIMMED_KEY = "TRIMMED_KEY"
    CASE_NORMALISED = "CASE_NORMALISED"
    THOUSANDS_SEPARATOR = "THOUSANDS_SEPARATOR"
    DECIMAL_COMMA = "DECIMAL_COMMA"
    DATE_FORMAT = "DATE_FORMAT"
    DUPLICATE_COLLAPSED = "DUPLICATE_COLLAPSED"
    LEAD_TIME_FROM_SUPPLIER = "LEAD_TIME_FROM_SUPPLIER"
    # quarantines: the row is set aside and takes no part in the run
    MISSING_FIELD = "MISSING_FIELD"
    BAD_NUMBER = "BAD_NUMBER"
    BAD_DATE = "BAD_DATE"
    BAD_VALUE = "BAD_VALUE"
    AMBIGUOUS_DATE = "AMBIGUOUS_DATE"
    NEGATIVE_QUANTITY = "NEGATIVE_QUANTITY"
    ABSURD_QUANTITY = "ABSURD_QUANTITY"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    CONFLICTING_DUPLICATE = "CONFLICTING_DUPLICATE"
    UNKNOWN_SKU = "UNKNOWN_SKU"
    UNKNOWN_SUPPLIER = "UNKNOWN_SUPPLIER"
    NO_SUPPLIER = "NO_SUPPLIER"
    BAD_PACK_SIZE = "BAD_PACK_SIZE"
    BAD_MOQ = "BAD_MOQ"
    FUTURE_DATE = "FUTURE_DATE"
    ANCIENT_DATE = "ANCIENT_DATE"
    TOO_LONG = "TOO_LONG"
    CONTROL_CHARACTER = "CONTROL_CHARACTER"
    BAD_ENCODING = "BAD_ENCODING"
    MALFORMED_ROW = "MALFORMED_ROW"
    STALE_STOCK = "STALE_STOCK"
    # not a row's reason: an active item with no usable stock row (its lines are held)
    NO_STOCK_ROW = "NO_STOCK_ROW"

    @property
    def description(self) -> str:
        """One line for people reading a report or the CLI."""
        return DESCRIPTIONS[self]

    @property
    def is_repair(self) -> bool:
        """True when a row with only this reason is kept (repaired), not quarantined."""
        return self in REPAIRS


REPAIRS: frozenset[Reason] = frozenset(
    {
        Reason.TRIMMED_KEY,
        Reason.CASE_NORMALISED,
        Reason.THOUSANDS_SEPARATOR,
        Reason.DECIMAL_COMMA,
        Reason.DATE_FORMAT,
        Reason.DUPLICATE_COLLAPSED,
        Reason.LEAD_TIME_FROM_SUPPLIER,
    }
)

DESCRIPTIONS: dict[Reason, str] = {
    Reason.TRIMMED_KEY: "spaces around an identifier were removed",
    Reason.CASE_NORMALISED: "an identifier was upper-cased so spellings of one id match",
    Reason.THOUSANDS_SEPARATOR: "a thousands separator was removed from a number (1,234 -> 1234)",
    Reason.DECIMAL_COMMA: "a decimal comma was read as a decimal point (1,5 -> 1.5)",
    Reason.DATE_FORMAT: "a date in another documented format was converted to YYYY-MM-DD",
    Reason.DUPLICATE_COLLAPSED: "an exact copy of another row was merged into it",
    Reason.LEAD_TIME_FROM_SUPPLIER: "a missing lead time was taken from the supplier's default",
    Reason.MISSING_FIELD: "a required value is empty",
    Reason.BAD_NUMBER: "a value that must be a number is not one",
    Reason.BAD_DATE: "a value that must be a date is not one in a documented format",
    Reason.BAD_VALUE: "a value is not one of the accepted spellings (e.g. a yes/no flag)",
    Reason.AMBIGUOUS_DATE: "a slashed date could be day-first or month-first",
    Reason.NEGATIVE_QUANTITY: "a demand or open-order quantity is negative",
    Reason.ABSURD_QUANTITY: "a quantity is beyond the configured plausible maximum",
    Reason.OUT_OF_RANGE: "a number is outside its allowed range (e.g. lead time <= 0)",
    Reason.CONFLICTING_DUPLICATE: "several rows share one key with different values",
    Reason.UNKNOWN_SKU: "the sku and location are not among the accepted items",
    Reason.UNKNOWN_SUPPLIER: "the item's supplier is not among the accepted suppliers",
    Reason.NO_SUPPLIER: "the item names no supplier",
    Reason.BAD_PACK_SIZE: "the pack size is not a whole number >= 1",
    Reason.BAD_MOQ: "the minimum order quantity is negative",
    Reason.FUTURE_DATE: "the date is after the run's as-of date",
    Reason.ANCIENT_DATE: (
        "the date is more than validation.max_history_years years before the run's as-of date"
    ),
    Reason.TOO_LONG: "an identifier or text is longer than the product stores",
    Reason.CONTROL_CHARACTER: "an identifier holds a control character (e.g. a terminal escape)",
    Reason.BAD_ENCODING: "the row holds a NUL byte or bytes that are not text in its encoding",
    Reason.MALFORMED_ROW: "the row has more or fewer fields than the header",
    Reason.STALE_STOCK: "the stock row's as_of date is older than validation.max_stock_age_days",
    Reason.NO_STOCK_ROW: "an active item has no usable stock row, so its shelf is unknown",
}
