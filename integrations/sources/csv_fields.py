"""How many fields each row of a CSV file has, without a Python loop over the rows.

pandas' fast reader cannot say it: a row with fields missing is padded with empty cells
(indistinguishable from a row that has them, empty), and a row with a field too many
stops it. Both are damaged rows that must be quarantined, not read as valid ones
(`...,1,234,web` is not quantity 1 of channel "234"). Arrow's CSV tokenizer, with the
same quoting rules (RFC 4180: double quotes, doubled to escape, newlines allowed inside
them), hands back only the rows whose field count is wrong, with their row number, and
reads the good ones in C++; 1.9 M demand rows take about half a second here.

Only the structure is looked at (delimiters, quotes, line ends are ASCII in UTF-8 and
cp1252 alike). Arrow reads a UTF-8 file's own bytes (no copy); other bytes it would fail
to decode when it describes a damaged row, so a cp1252 file, or one holding bytes that
are not text, is read with every byte above 127 as an ASCII letter. A row longer than a
block (a 10 MB cell) is read again with larger blocks.
"""

from __future__ import annotations

import io
import re
from array import array
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv

# Every byte above 127 read as 'x': the field structure is unchanged.
_ASCII = bytes(range(128)) + b"x" * 128
# Read 4 MiB at a time (the memory this check adds); a row longer than a block (a 10 MB
# cell) needs a larger one, up to the whole file.
_BLOCK, _LARGE_BLOCK = 1 << 22, 1 << 26
_ANY_CELL = re.compile(rb"[^\r\n]")


@dataclass(frozen=True)
class FieldCounts:
    """The rows (0-based, header excluded) whose field count is not the header's."""

    rows: int  # every row the tokenizer found, blank lines included
    wrong_rows: np.ndarray  # int64 positions
    wrong_counts: np.ndarray  # int64 field counts, aligned with `wrong_rows`


class _AsciiReader(io.RawIOBase):
    """The file's bytes, block by block, with every byte above 127 read as 'x'."""

    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)
        self._at = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        size = min(len(buffer), len(self._data) - self._at)
        buffer[:size] = self._data[self._at : self._at + size].tobytes().translate(_ASCII)
        self._at += size
        return size


def count_fields(
    data: bytes, delimiter: str, width: int, *, quoted: bool, utf8: bool
) -> FieldCounts | None:
    """The rows of `data` (header first) with more or fewer fields than `width`.

    A blank line counts as a row with the right number of fields (the reader drops it
    as blank); `quoted` (the file holds a double quote) lets a quoted cell span lines;
    `utf8` (every byte is UTF-8 text) lets Arrow read the bytes as they are. None when
    Arrow cannot tokenize the file at all (the caller then reads it the slow, exact way).
    """
    header_end = data.find(b"\n")
    if header_end < 0 or _ANY_CELL.search(data, header_end) is None:  # a header, no row
        return FieldCounts(0, np.zeros(0, np.int64), np.zeros(0, np.int64))
    whole = min(len(data) + 1, 2**31 - 1)
    first = min(_BLOCK, whole)
    larger = dict.fromkeys(size for size in (_LARGE_BLOCK, whole) if first < size <= whole)
    attempts = [(True, first), *((True, size) for size in larger)]
    if utf8:
        attempts.insert(0, (False, first))
    for ascii_only, size in attempts:
        source = _AsciiReader(data) if ascii_only else pa.BufferReader(data)
        try:
            return _count(source, delimiter, width, quoted=quoted, block_size=size)
        except pa.ArrowInvalid:
            continue  # read it again, more forgiving
    return None


def _count(
    source: pa.NativeFile | io.RawIOBase,
    delimiter: str,
    width: int,
    *,
    quoted: bool,
    block_size: int,
) -> FieldCounts:
    positions = array("q")
    counts = array("q")

    def wrong(row: pa_csv.InvalidRow) -> str:
        # Arrow numbers rows from 1 with the skipped header first: data row i is i + 2
        positions.append(int(row.number) - 2)
        counts.append(int(row.actual_columns))
        return "skip"

    names = [f"c{i}" for i in range(width)]
    reader = pa_csv.open_csv(
        source,
        read_options=pa_csv.ReadOptions(
            use_threads=False,  # row numbers are only known single-threaded
            block_size=block_size,
            skip_rows=1,  # the header, read by the caller
            column_names=names,
        ),
        parse_options=pa_csv.ParseOptions(
            delimiter=delimiter,
            newlines_in_values=quoted,
            ignore_empty_lines=False,  # blank lines are rows to pandas too: same numbering
            invalid_row_handler=wrong,
        ),
        # one column, as bytes: nothing is decoded or kept, only the rows are counted
        convert_options=pa_csv.ConvertOptions(
            include_columns=names[:1], column_types={names[0]: pa.binary()}
        ),
    )
    good = sum(batch.num_rows for batch in reader)
    return FieldCounts(
        good + len(positions),
        np.array(positions, dtype=np.int64),
        np.array(counts, dtype=np.int64),
    )
