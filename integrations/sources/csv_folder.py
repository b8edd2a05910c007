"""The default source: one folder of CSV files is one night's extract.

Files are read as they are, every cell a string: typing and repairs belong to the
data-quality gate, where each change is recorded. This module only refuses a file that
cannot be read as a table at all (missing, empty, binary, wrong columns), with one line
naming the file and the problem. What it had to guess (encoding, delimiter) is reported
per file so an operator can see why a file read the way it did.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from dataquality.contract import (
    ALIASES,
    CONTRACTS,
    KINDS,
    SOURCE_COLUMNS,
    SOURCE_PROBLEM,
    TableContract,
)
from integrations.sources import compact
from integrations.sources.csv_fields import count_fields
from integrations.sources.csv_text import (
    MARK,
    decode,
    mark_ragged,
    mark_unreadable,
    normalise_line_ends,
    read_row_by_row,
)
from integrations.sources.errors import SourceError
from integrations.sources.extract import DELIMITERS, FileInfo, RawExtract
from integrations.sources.headers import apply_aliases, first_duplicate, normalise_names

MAX_COLUMNS = 1000


def read_csv_folder(folder: Path) -> RawExtract:
    """Read items, suppliers, demand*, stock and (optional) open_orders from `folder`."""
    if not folder.is_dir():
        raise SourceError(f"{folder}: not a folder")
    names = sorted(p.name for p in folder.iterdir() if p.is_file())
    frames: dict[str, pd.DataFrame] = {}
    extras: dict[str, pd.DataFrame] = {}
    files: list[FileInfo] = []
    for kind in KINDS:
        contract = CONTRACTS[kind]
        matching = [folder / n for n in names if _matches(n, contract.file_pattern)]
        if not matching and contract.file_required:
            raise SourceError(f"{contract.file_pattern}: required file is missing in {folder}")
        parts = [_read_file(contract, path) for path in matching]
        frames[kind] = compact.concat([p[0] for p in parts]) if parts else _empty(contract)
        if parts and contract.file_required and frames[kind].empty:
            # an empty stock or items table would not fail later, it would order wrongly
            shown = ", ".join(p.name for p in matching)
            raise SourceError(f"{shown}: has a header but no data rows ({kind} cannot be empty)")
        if any(p[2].unknown_columns for p in parts):
            extras[kind] = compact.concat([p[1] for p in parts])
        files.extend(p[2] for p in parts)
    return RawExtract(frames, files, extras)


def _matches(name: str, pattern: str) -> bool:
    """File names are matched case-insensitively: exports from Windows tools vary."""
    lowered = name.lower()
    if pattern.endswith("*.csv"):
        return lowered.startswith(pattern[: -len("*.csv")]) and lowered.endswith(".csv")
    return lowered == pattern


def _empty(contract: TableContract) -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series(dtype=object) for name in contract.names})
    frame["source_file"] = pd.Series(dtype=object)
    frame["source_line"] = pd.Series(dtype="int64")
    return frame


def _read_file(contract: TableContract, path: Path) -> tuple[pd.DataFrame, pd.DataFrame, FileInfo]:
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{name}: unreadable ({exc.strerror or exc})") from exc
    if not data.strip():
        raise SourceError(f"{name}: file is empty")
    data, text, encoding = decode(name, normalise_line_ends(data))
    header = text.partition("\n")[0].rstrip("\r")
    if not header.strip():
        raise SourceError(f"{name}: the first line (the header) is empty")
    delimiter = _delimiter(header)
    columns, renamed = apply_aliases(
        _header_names(name, header, delimiter), ALIASES.get(contract.kind, {})
    )
    missing = [c for c in contract.required_columns if c not in columns]
    if missing:
        listed = ", ".join(f"'{c}'" for c in missing)
        what = f"column {listed} is" if len(missing) == 1 else f"columns {listed} are"
        shown = [c if len(c) <= 40 else c[:40] + "..." for c in columns[:12]]
        found = ", ".join(shown) + (", ..." if len(columns) > 12 else "")
        found = re.sub(r"[\x00-\x1f\x7f-\x9f]", "?", found)  # one line, no escapes
        raise SourceError(f"{name}: required {what} missing (found: {found})")
    # What the line numbering needs from the text, taken before it is dropped: pandas
    # reads the bytes itself (a StringIO of the text took 4 bytes per character).
    physical = text.count("\n") + (0 if text.endswith("\n") else 1)
    quoted = '"' in text
    unreadable = MARK in text
    del text
    frame = _parse(name, data, encoding, delimiter, columns)
    utf8 = encoding.startswith("utf-8") and not unreadable
    fields = count_fields(data, delimiter, len(columns), quoted=quoted, utf8=utf8)
    if fields is None or fields.rows != len(frame):
        # the two tokenizers disagree on this file: read it row by row, the slow, exact way
        frame = _parse_rows(name, data, encoding, delimiter, columns)
    else:
        # Counting newlines inside cells costs a call per cell; it is only needed when the
        # file has more physical lines than rows (a quoted cell spans lines).
        multiline = quoted and physical > len(frame) + 1
        frame["source_line"] = _physical_lines(frame[columns], quoted=multiline)
        mark_ragged(frame, fields, columns)
    frame["source_file"] = compact.constant(name, len(frame))
    if unreadable:
        mark_unreadable(frame, columns, encoding)
    blank = _blank_rows(frame[columns])
    frame = frame.loc[~blank].reset_index(drop=True)
    unknown = [c for c in columns if c not in contract.names]
    for absent in (c for c in contract.names if c not in columns):
        frame[absent] = compact.constant("", len(frame))
    info = FileInfo(
        contract.kind,
        name,
        len(frame),
        encoding,
        delimiter,
        tuple(unknown),
        int(blank.sum()),
        tuple(renamed),
    )
    source = list(SOURCE_COLUMNS)
    problem = [SOURCE_PROBLEM] if SOURCE_PROBLEM in frame.columns else []
    return frame[contract.names + source + problem], frame[source + unknown], info


def _delimiter(header: str) -> str:
    """The most frequent of comma, semicolon and tab on the header line (comma if none).

    Counting on the header is predictable where csv.Sniffer guesses from quoting and
    can pick a letter; the header is the one line every file is sure to have.
    """
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _header_names(name: str, header: str, delimiter: str) -> list[str]:
    """Trimmed, case-folded names with spaces as underscores; duplicates are refused."""
    try:
        cells = next(csv.reader([header], delimiter=delimiter))
    except csv.Error as error:
        raise SourceError(f"{name}: the header line is not readable CSV ({error})") from error
    if len(cells) > MAX_COLUMNS:
        raise SourceError(f"{name}: the header has {len(cells):,} columns; is it a CSV file?")
    names = normalise_names(cells)
    column = first_duplicate(names)
    if column is not None:
        raise SourceError(f"{name}: column '{column}' appears more than once in the header")
    return names


def _parse(
    name: str, data: bytes, encoding: str, delimiter: str, columns: list[str]
) -> pd.DataFrame:
    """The rows as text, read by pandas from the file's bytes in the encoding `decode`
    found (utf-8-sig drops the byte-order mark). A row with a field too many is cut to
    the header's width, one with too few padded with empty cells: `count_fields` names
    them, so they are marked rather than read as valid."""
    try:
        frame = pd.read_csv(
            io.BytesIO(data),
            encoding=encoding,
            encoding_errors="replace",  # `decode` found the bytes that fail; their rows are marked
            sep=delimiter,
            dtype="category",  # the text once per distinct value (`compact`)
            keep_default_na=False,
            skip_blank_lines=False,  # blank lines stay rows here so line numbers stay true
            header=0,
            usecols=range(len(columns)),  # a longer row is read, cut, not refused
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise SourceError(f"{name}: unreadable CSV: {_one_line(exc)}") from exc
    if frame.shape[1] != len(columns):
        raise SourceError(f"{name}: unreadable CSV: the header could not be split into columns")
    frame.columns = columns
    return compact.without_missing(frame)


def _parse_rows(
    name: str, data: bytes, encoding: str, delimiter: str, columns: list[str]
) -> pd.DataFrame:
    """The slow, exact reading of a file the fast readers disagree on (`read_row_by_row`)."""
    payload = data[len(codecs.BOM_UTF8) :] if encoding == "utf-8-sig" else data
    text = payload.decode(encoding.removesuffix("-sig"), "replace")
    try:
        return read_row_by_row(text, delimiter, columns)
    except csv.Error as exc:
        raise SourceError(f"{name}: unreadable CSV: {_one_line(exc)}") from exc


def _one_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[-1].replace("Error tokenizing data. C error: ", "")


def _physical_lines(cells: pd.DataFrame, *, quoted: bool) -> np.ndarray:
    """1-based line of each row (header = 1), counting newlines inside quoted cells."""
    lines = 2 + np.arange(len(cells))
    if quoted and len(cells):
        inside = sum((cells[c].str.count("\n") for c in cells.columns), pd.Series(0, cells.index))
        lines = lines + np.concatenate(([0], np.cumsum(inside.to_numpy())[:-1]))
    return lines


def _blank_rows(cells: pd.DataFrame) -> np.ndarray:
    """Rows with no value at all (blank lines, ',,,'): column by column, only on candidates."""
    blank = np.ones(len(cells), dtype=bool)
    for column in cells.columns:
        blank[blank] = cells[column].to_numpy()[blank] == ""
    return blank
