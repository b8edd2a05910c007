"""What every source adapter hands the data-quality gate: text frames per kind, and how
each file (or table) was read. Shared by the CSV folder and the SQL adapters."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}


@dataclass(frozen=True)
class FileInfo:
    """How one file was read: its kind, size and what had to be detected."""

    kind: str
    file: str
    rows: int
    encoding: str  # utf-8, utf-8-sig (UTF-8 with BOM) or cp1252
    delimiter: str
    unknown_columns: tuple[str, ...] = ()
    blank_lines: int = 0  # lines with no value at all: skipped, never rows
    renamed_columns: tuple[tuple[str, str], ...] = ()  # (header as found, contract column)

    @property
    def delimiter_name(self) -> str:
        """'comma', 'semicolon' or 'tab', for people reading a report."""
        return DELIMITERS.get(self.delimiter, repr(self.delimiter))


@dataclass(frozen=True)
class RawExtract:
    """One extract as read: text frames per kind, and how each file was read.

    `frames[kind]` holds every contract column (absent optional ones empty) plus
    `source_file` and `source_line`; unknown columns are kept aside in `extras[kind]`
    with the same source columns, so nothing a source sent is lost.
    """

    frames: dict[str, pd.DataFrame]
    files: list[FileInfo]
    extras: dict[str, pd.DataFrame] = field(default_factory=dict)
