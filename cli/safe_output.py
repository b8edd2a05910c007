"""Output that cannot be turned against the person reading it.

Values in reports come from input files nobody here controls: a SKU can hold a terminal
escape sequence (clear the screen, rewrite a line, set the window title) and a cell can
start a spreadsheet formula (`=HYPERLINK(...)`, `@SUM(1+1)*cmd|...`). What we print is
made inert: control characters are shown escaped, and CSV cells that a spreadsheet would
run get a leading apostrophe (OWASP "CSV injection").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

# C0 except tab and newline, DEL, C1 (CSI 0x9b included), bidi overrides and isolates
TERMINAL_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def terminal_text(text: str) -> str:
    """`text` with every control character shown as `\\xNN` instead of acted upon."""
    return TERMINAL_CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def csv_cell(value: Any) -> Any:
    """A cell a spreadsheet shows as text: a formula-leading one gets an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class _SafeStream:
    """A text stream that writes through `terminal_text` (everything else delegated)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(terminal_text(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextmanager
def safe_terminal() -> Iterator[None]:
    """Strip control characters from everything the command prints, on both streams."""
    import sys

    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _SafeStream(out), _SafeStream(err)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err
