"""Vectorised cell parsers: text cells in, typed values plus per-cell outcomes out.

Each parser looks at a whole column at once and only runs the slower regular-expression
paths on the cells the fast path could not read. `coerce` hands them each distinct cell
once, not every row. Outcomes carry a reason and the words that end a detail sentence
("quantity '1,5' <is not a number>"); the caller adds the file, line and field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

import numpy as np
import pandas as pd

from dataquality.reasons import Reason

Mask: TypeAlias = np.ndarray  # one bool per row, positional
Text: TypeAlias = str | pd.Series  # one sentence ending for all flagged rows, or one per row

# C0/C1 controls, line/paragraph separators and bidi overrides: characters that move a
# terminal's cursor, start an escape sequence or reorder what a reader sees.
CONTROL_CHARS = r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]"
SHOWN_CHARACTERS = 60


def printable(text: pd.Series, limit: int = SHOWN_CHARACTERS) -> pd.Series:
    """Cells as they may be quoted in a one-line sentence: controls escaped, long text cut.

    A reason quotes the value it refuses; a 10 MB cell or an escape sequence must not
    become a 10 MB sentence or a command to the operator's terminal.
    """
    text = _as_str(text)
    long = (text.str.len() > limit).to_numpy()
    if long.any():
        lengths = text[long].str.len()
        text = text.copy()
        text[long] = (
            text[long].str.slice(0, limit)
            + "... ("
            + lengths.map("{:,}".format).astype(object)
            + " characters)"
        )
    if text.str.contains(CONTROL_CHARS, regex=True).any():
        text = text.str.replace(
            CONTROL_CHARS, lambda m: "\\x" + format(ord(m.group()), "02x"), regex=True
        )
    return text


def _as_str(text: pd.Series) -> pd.Series:
    """`text.astype(str)`, without its numpy str array for the CSV source's compact cells.

    A categorical's astype(str) makes every category a fixed-width numpy string as wide
    as the longest (a 10 MB cell: 40 MB per category) before picking the rows, even
    for a few rows quoted. Through object the rows share the categories' strings; the
    trailing NULs numpy's str type drops are dropped too, so the text is the same.
    """
    if isinstance(text.dtype, pd.CategoricalDtype) and text.cat.categories.dtype == object:
        return text.astype(object).astype(str).str.rstrip("\x00")
    return text.astype(str)


@dataclass
class Parsed:
    """Typed values of one column and what happened to its cells."""

    values: pd.Series
    empty: Mask
    outcomes: dict[Reason, tuple[Mask, Text]] = field(default_factory=dict)


def _fullmatch(text: pd.Series, among: Mask, pattern: str) -> Mask:
    """Rows among `among` whose text matches `pattern` (regex only runs on that subset)."""
    hit = np.zeros(len(text), dtype=bool)
    if among.any():
        hit[among] = text[among].str.fullmatch(pattern).to_numpy(dtype=bool)
    return hit


def parse_keys(raw: pd.Series, *, upper: bool) -> Parsed:
    """Identifiers: spaces trimmed and (for sku/location/supplier) upper-cased, as repairs."""
    stripped = raw.str.strip()
    parsed = Parsed(stripped, (stripped == "").to_numpy())
    parsed.outcomes[Reason.TRIMMED_KEY] = ((stripped != raw).to_numpy(), "had spaces around it")
    if upper:
        upped = stripped.str.upper()
        changed = (upped != stripped).to_numpy()
        parsed.values = upped
        shown = printable(upped[changed])
        parsed.outcomes[Reason.CASE_NORMALISED] = (changed, "read as '" + shown + "'")
    return parsed


def check_text(parsed: Parsed, max_length: int | None, *, identifier: bool) -> Parsed:
    """Quarantine cells longer than the product stores, and identifiers holding controls.

    Free text keeps its tabs and line breaks (a quoted description may span lines); an
    identifier never legitimately holds one, and one that does is an attack or a broken
    export, not a SKU.
    """
    text = parsed.values.astype(str)
    if max_length is not None:
        lengths = text.str.len()
        long = (lengths > max_length).to_numpy()
        why = (
            "is "
            + lengths[long].map("{:,}".format).astype(object)
            + f" characters long (at most {max_length})"
        )
        parsed.outcomes[Reason.TOO_LONG] = (long, why)
    if identifier:
        control = text.str.contains(CONTROL_CHARS, regex=True).to_numpy(dtype=bool)
    else:  # a NUL byte is never text (a source other than CSV may hand one over)
        control = text.str.contains("\x00", regex=False).to_numpy(dtype=bool)
    parsed.outcomes[Reason.CONTROL_CHARACTER] = (
        control,
        "holds a control character (shown escaped)",
    )
    return parsed


# [0-9], not \d: \d also matches other scripts' digits, which no export here uses
_THOUSANDS_COMMA = r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?"
_THOUSANDS_DOT = r"[+-]?[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?"
_COMMA_DECIMAL = r"[+-]?[0-9]*,[0-9]+"


def parse_numbers(raw: pd.Series, *, decimal_comma: bool) -> Parsed:
    """Floats; '1,234' (or '1.234,5' with `decimal_comma`) repaired, the rest BAD_NUMBER."""
    text = raw.str.strip()
    empty = (text == "").to_numpy()
    values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, copy=True)
    failed = ~empty & ~np.isfinite(values)
    outcomes: dict[Reason, tuple[Mask, Text]] = {}
    if decimal_comma:
        has_dot = ~empty & text.str.contains(".", regex=False).to_numpy(dtype=bool)
        thousands = _fullmatch(text, has_dot, _THOUSANDS_DOT)
        comma = _fullmatch(text, failed & ~thousands, _COMMA_DECIMAL)
        fixed = thousands | comma
        cleaned = text[fixed].str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
        comma |= thousands & text.str.contains(",", regex=False).to_numpy(dtype=bool)
        hint = np.zeros(len(text), dtype=bool)
    else:
        thousands = _fullmatch(text, failed, _THOUSANDS_COMMA)
        comma = np.zeros(len(text), dtype=bool)
        fixed = thousands
        cleaned = text[fixed].str.replace(",", "", regex=False)
        hint = _fullmatch(text, failed & ~thousands, _COMMA_DECIMAL)
    values[fixed] = pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype=float)
    result = pd.Series(values, index=text.index)
    bad = ~empty & ~np.isfinite(values)
    read_as = "read as " + result[fixed & ~bad].astype(str)
    outcomes[Reason.THOUSANDS_SEPARATOR] = (thousands & ~bad, read_as)
    outcomes[Reason.DECIMAL_COMMA] = (comma & ~bad, read_as)
    because = pd.Series("is not a number", index=text.index[bad], dtype=object)
    because[hint[bad]] = "is not a number (decimal comma? see the decimal_comma rule)"
    outcomes[Reason.BAD_NUMBER] = (bad, because)
    return Parsed(result, empty, outcomes)


_OTHER_FORMATS = (
    (r"[0-9]{4}/[0-9]{1,2}/[0-9]{1,2}", "%Y/%m/%d"),
    (r"[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4}", "%d.%m.%Y"),
    (r"[0-9]{8}", "%Y%m%d"),
)
_SLASHED = r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})"
BAD_DATE_TEXT = (
    "is not a date in a documented format "
    "(YYYY-MM-DD, YYYY/MM/DD, DD.MM.YYYY, YYYYMMDD, DD/MM/YYYY or MM/DD/YYYY)"
)


def parse_dates(raw: pd.Series, files: pd.Series) -> Parsed:
    """Dates at midnight; other documented formats are repairs, a/b/YYYY decided per file.

    A slashed date is day-first when its file holds a slashed date whose first part is
    above 12, month-first when one has its second part above 12; a file with both, or
    with neither (and a != b), cannot be read safely and its slashed dates are ambiguous.
    """
    text = raw.str.strip()
    empty = (text == "").to_numpy()
    values = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce").to_numpy(copy=True)
    pending = ~empty & np.isnat(values)
    # '2024-1-5' passes the ISO parser; still a non-canonical spelling worth recording
    reformatted = ~empty & ~pending & (text.str.len() != 10).to_numpy()
    for pattern, fmt in _OTHER_FORMATS:
        hit = _fullmatch(text, pending, pattern)
        if hit.any():
            values[hit] = pd.to_datetime(text[hit], format=fmt, errors="coerce").to_numpy()
            reformatted |= hit
            pending &= ~hit
    slashed = _fullmatch(text, pending, _SLASHED)
    ambiguous = np.zeros(len(text), dtype=bool)
    why = pd.Series(dtype=object)
    if slashed.any():
        parts = text[slashed].str.extract(_SLASHED).astype(int)
        first, second = parts[0], parts[1]
        by_file = files[slashed]
        day_first = (first > 12).groupby(by_file).transform("any").astype(bool)
        month_first = (second > 12).groupby(by_file).transform("any").astype(bool)
        both = day_first & month_first
        neither = ~day_first & ~month_first & (first != second)
        read_dm = (day_first & ~month_first) | (~both & (first == second))
        read_md = month_first & ~day_first
        for rows, fmt in ((read_dm, "%d/%m/%Y"), (read_md, "%m/%d/%Y")):
            index = rows.index[rows]
            values[index] = pd.to_datetime(text[index], format=fmt, errors="coerce").to_numpy()
        ambiguous[both.index[both | neither]] = True
        reformatted |= slashed & ~ambiguous
        why = pd.Series(
            "is ambiguous: this file has both day-first and month-first dates", both.index
        )
        why[neither] = "is ambiguous: no slashed date in this file tells day-first from month-first"
        why = why[both | neither]
    result = pd.Series(values, index=text.index, dtype="datetime64[ns]")
    bad = ~empty & np.isnat(values) & ~ambiguous
    reformatted &= ~bad
    return Parsed(
        result,
        empty,
        {
            Reason.DATE_FORMAT: (
                reformatted,
                "read as " + result[reformatted].dt.strftime("%Y-%m-%d"),
            ),
            Reason.AMBIGUOUS_DATE: (ambiguous, why),
            Reason.BAD_DATE: (bad, BAD_DATE_TEXT),
        },
    )


_TRUE = ("1", "true", "yes", "y", "t", "x")
_FALSE = ("0", "false", "no", "n", "f")


def parse_flags(raw: pd.Series) -> Parsed:
    """Yes/no cells in the spellings exports use; anything else is BAD_VALUE."""
    text = raw.str.strip()
    lowered = text.str.lower()
    truthy = lowered.isin(_TRUE).to_numpy()
    falsy = lowered.isin(_FALSE).to_numpy()
    empty = (text == "").to_numpy()
    bad = ~empty & ~truthy & ~falsy
    return Parsed(
        pd.Series(~falsy, index=text.index, dtype=bool),
        empty,
        {Reason.BAD_VALUE: (bad, "is not a yes/no value")},
    )


def parse_text(raw: pd.Series) -> Parsed:
    """Free text, trimmed: surrounding spaces carry no meaning, so no repair is recorded."""
    text = raw.str.strip()
    return Parsed(text, (text == "").to_numpy())
