"""Database values as the text a CSV export would hold.

The gate was built for CSV text; a source that handed it Python floats or dates would
meet other code paths (and other bugs) than the CSV folder does. So each value becomes
the text an export would hold: '' for NULL, ISO dates, numbers without exponent.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from datetime import time as dt_time
from decimal import Decimal

import numpy as np
import pandas as pd

_BOOLEANS = {True: "true", False: "false"}


def column_text(values: np.ndarray) -> np.ndarray:
    """A column of driver values (an object array) as text, typed alike in one pass.

    Database columns are usually of one type, so the general `cell_text` only runs for
    mixed ones (SQLite, whose columns take any type) and rarer types (timestamps, bytes).
    """
    out = np.full(len(values), "", dtype=object)
    present = pd.notna(values)  # None, NaN and Decimal('NaN') are all NULL
    cells = values[present]
    kind = pd.api.types.infer_dtype(cells, skipna=False)
    if kind == "string":
        out[present] = cells
    elif kind == "date":  # a few hundred days over a million rows: each formatted once
        codes, days = pd.factorize(cells)
        out[present] = np.array([day.isoformat() for day in days], dtype=object)[codes]
    elif kind == "floating":
        out[present] = _floats_text(cells)
    elif kind == "boolean":
        out[present] = np.where(cells.astype(bool), "true", "false").astype(object)
    elif kind in ("integer", "decimal"):
        # not deduplicated: 1.5 and 1.50 are equal keys but different text
        out[present] = [str(v) if kind == "integer" else _decimal_text(v) for v in cells]
    else:
        out[present] = [cell_text(v) for v in cells]
    return out


def cell_text(value: object) -> str:
    """One value as text, for columns of mixed or rarer types."""
    if value is None:
        return ""
    if isinstance(value, bool):  # before int: True is an int to Python
        return _BOOLEANS[value]
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, Decimal):
        return "" if value.is_nan() else _decimal_text(value)
    if isinstance(value, datetime):  # before date: a datetime is a date to Python
        # a DATE on Oracle or a timestamp at midnight is a date; a time of day is kept so
        # the gate quarantines it rather than this adapter dropping it unseen
        return value.date().isoformat() if value.time() == dt_time(0) else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, dict | list):  # JSON and array columns, kept aside as extras
        return json.dumps(value, default=str, ensure_ascii=False)
    return str(value)


def _decimal_text(value: Decimal) -> str:
    """NUMERIC with its scale ('12.50', as the database exports it), never an exponent."""
    text = str(value)
    return format(value, "f") if "E" in text else text


def _float_text(value: float) -> str:
    if value != value:  # NaN
        return ""
    if value.is_integer():  # a quantity in a FLOAT column: '12', as a spreadsheet shows it
        return str(int(value))
    text = repr(value)  # the shortest text that reads back as the same float
    return np.format_float_positional(value, trim="-") if "e" in text else text


def _floats_text(cells: np.ndarray) -> np.ndarray:
    """`_float_text` over a whole column: whole numbers through int64, the rest one by one."""
    numbers = cells.astype(float)
    whole = np.isfinite(numbers) & (numbers == np.trunc(numbers)) & (np.abs(numbers) < 1e16)
    text = np.empty(len(numbers), dtype=object)
    text[whole] = numbers[whole].astype(np.int64).astype(str)
    text[~whole] = [_float_text(v) for v in numbers[~whole].tolist()]
    return text
