"""Output made inert: control characters escaped on the terminal, formulas in CSV cells."""

from __future__ import annotations

import pytest

from cli.safe_output import csv_cell, terminal_text


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("SKU-1", "SKU-1"),
        (12, 12),
    ],
)
def test_formula_leading_cells_are_neutralised(cell: object, shown: object) -> None:
    assert csv_cell(cell) == shown


def test_terminal_escapes_are_shown_not_acted_upon() -> None:
    text = "SKU\x1b[2J\x1b]0;title\x07\u202eevil\x9b31m\nnext\tcol"
    expected = "SKU\\x1b[2J\\x1b]0;title\\x07\\x202eevil\\x9b31m\nnext\tcol"
    assert terminal_text(text) == expected
