"""Bytes to CSV text, and the marks on rows that could not be read cleanly.

A night's extract is often mostly fine with a few damaged rows: a NUL byte from a crashed
export, one cp1252 byte pasted into a UTF-8 file, a row with a field too many or too few,
old Mac CR-only line endings. Each damaged row is marked (`source_problem`, "CODE:
sentence") so the data-quality gate quarantines it with a reason naming the file and
line, and every other row goes on. Only a file that is not text at all is refused.
"""

from __future__ import annotations

import codecs
import csv
import io

import numpy as np
import pandas as pd

from dataquality.contract import SOURCE_PROBLEM
from integrations.sources import compact
from integrations.sources.csv_fields import FieldCounts
from integrations.sources.errors import SourceError

# A 10 MB cell is a damaged row, not a reason to stop reading the file (the default
# limit, 128 KiB, raised a bare csv.Error naming no file).
csv.field_size_limit(2**31 - 1)

BINARY_NUL_SHARE = 0.1  # more NUL bytes than this share of the first 64 KiB: not text
MARK = "\ufffd"  # what an unreadable byte (or a NUL) reads as: the row is marked by it


def normalise_line_ends(data: bytes) -> bytes:
    """CR-only line endings (classic Mac exports) as LF: one line per row again."""
    if b"\r" in data and b"\n" not in data:
        return data.replace(b"\r", b"\n")
    return data


def decode(name: str, data: bytes) -> tuple[bytes, str, str]:
    """(bytes pandas reads, their text, encoding): UTF-8 (BOM or not), else cp1252.

    A file is UTF-8 when it decodes as UTF-8, or when it holds real UTF-8 characters
    beside a few bytes that are not (the stray bytes then mark their rows, rather than
    reading every 'ü' of the file as 'Ã¼'). NUL bytes become the same mark.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise SourceError(f"{name}: is UTF-16 text; save it as UTF-8 or cp1252 CSV")
    if data.startswith(b"PK\x03\x04"):
        raise SourceError(f"{name}: is a zip archive or Excel workbook, not CSV text")
    sample = data[:65536]
    if sample.count(b"\x00") > BINARY_NUL_SHARE * len(sample):
        raise SourceError(f"{name}: looks binary (contains NUL bytes), not CSV text")
    if data.startswith(codecs.BOM_UTF8):
        data = data.replace(b"\x00", MARK.encode())
        return data, data[len(codecs.BOM_UTF8) :].decode("utf-8", "replace"), "utf-8-sig"
    utf8 = data.replace(b"\x00", MARK.encode())
    try:
        return utf8, utf8.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text = utf8.decode("utf-8", "replace")
    if _has_real_utf8(text):
        return utf8, text, "utf-8"
    # 0x81 is undefined in cp1252, so a NUL reads as the same mark there too
    cp = data.replace(b"\x00", b"\x81")
    return cp, cp.decode("cp1252", "replace"), "cp1252"


def _has_real_utf8(text: str) -> bool:
    """Any non-ASCII character that decoded as UTF-8 (not the replacement mark)?"""
    return any(ord(c) > 127 and c != MARK for c in set(text))


def mark_unreadable(frame: pd.DataFrame, columns: list[str], encoding: str) -> None:
    """`source_problem` BAD_ENCODING for rows holding the mark (a NUL or an unreadable byte)."""
    hits = {c: frame[c].str.contains(MARK, regex=False).to_numpy(dtype=bool) for c in columns}
    bad = np.logical_or.reduce(list(hits.values()))
    if not bad.any():
        return
    # the column names of each damaged row, built for those rows only
    named = np.full(int(bad.sum()), "", dtype=object)
    for column, hit in hits.items():
        at = hit[bad]
        named[at] = np.where(named[at] == "", column, named[at] + ", " + column)
    what = "BAD_ENCODING: holds a NUL byte or bytes that are not " + encoding + " text in "
    add_problem(frame, np.flatnonzero(bad), what + named)


def mark_ragged(frame: pd.DataFrame, fields: FieldCounts, columns: list[str]) -> None:
    """`source_problem` MALFORMED_ROW for rows with more or fewer fields than the header.

    pandas read such a row cut to the header's width or padded with empty cells; its
    values cannot be trusted to be in their columns (`...,1,234,web` is not quantity 1
    of channel "234"), so the row is quarantined, never read as a valid one.
    """
    if fields.wrong_rows.size:
        text = [malformed(int(n), columns) for n in fields.wrong_counts]
        add_problem(frame, fields.wrong_rows, np.asarray(text, dtype=object))


def malformed(fields: int, columns: list[str]) -> str:
    """The MALFORMED_ROW sentence of a row with `fields` fields under `columns`."""
    sentence = f"MALFORMED_ROW: has {fields} fields where the header has {len(columns)}"
    if fields < len(columns):
        sentence += " (nothing for " + ", ".join(columns[fields:]) + ")"
    return sentence


def add_problem(frame: pd.DataFrame, rows: np.ndarray, text: np.ndarray | str) -> None:
    """Give the rows at positions `rows` their problem, kept compact (`compact.assign`).

    The first problem found names the row's reason; a row already marked keeps it.
    """
    column = frame[SOURCE_PROBLEM] if SOURCE_PROBLEM in frame.columns else None
    if column is None:
        column = pd.Series(compact.constant("", len(frame)), index=frame.index)
    current = column.to_numpy()[rows] if column.size else np.zeros(0, dtype=object)
    values = np.where(current == "", text, current).astype(object)
    frame[SOURCE_PROBLEM] = compact.assign(column, rows, values)


def read_row_by_row(text: str, delimiter: str, columns: list[str]) -> pd.DataFrame:
    """Every row with its true physical line, when the fast readers disagree on the file.

    A per-row Python loop, so only a fallback: pandas and Arrow (`csv_fields`) agree on
    every well-formed file and on rows with a field too many or too few. A row with more
    fields than the header is kept, its first fields in the columns; a shorter one is
    filled with empty cells; both are marked MALFORMED_ROW.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    next(reader, None)  # the header
    width = len(columns)
    rows: list[list[str]] = []
    lines: list[int] = []
    problems: list[str] = []
    start = reader.line_num + 1
    for fields in reader:
        rows.append((fields + [""] * width)[:width])
        lines.append(start)
        # an empty list is a blank line: dropped as blank, not a damaged row
        problems.append(malformed(len(fields), columns) if fields and len(fields) != width else "")
        start = reader.line_num + 1
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    frame["source_line"] = np.asarray(lines, dtype="int64")
    frame[SOURCE_PROBLEM] = problems
    return frame
