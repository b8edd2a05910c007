"""Hostile and clumsy input values, shared by the property tests.

`HOSTILE_CELLS` is what a broken export or an attacker puts in a cell; `hostile_extracts`
builds a small extract whose cells are drawn from them and from ordinary values.
`HOSTILE_QUANTITIES` is the text a person may type as a quantity (the CLI's `--qty`, the
review page's form): the hook for the review-decision property test, whose decision
channel is being moved into `services/` (issue 10); see
`tests/integration/test_hostile_values.py::review_decision_hook`.
"""

from __future__ import annotations

import pandas as pd
from hypothesis import strategies as st

TEN_MB = "9" * 10_000_000  # one shared object: drawing it costs nothing
HOSTILE_NUMBERS = ["1e308", "-1e308", "1e30", "1e12", "NaN", "inf", "-inf", "1e400", "0", "-0"]
HOSTILE_QUANTITIES = [*HOSTILE_NUMBERS, "12abc", "", " ", "1,5", "0x10", "1_000", "\x001"]
HOSTILE_TEXT = [
    TEN_MB,
    "X" * 65,
    "S" * 300,
    "A1\x1b[2J\x1b]0;pwned\x07",
    "A1\x00B",
    "\u202eA1",
    '=HYPERLINK("http://evil","x")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1",
    "-1",
    "\t=1",
    "line\nbreak",
    "",
]
HOSTILE_CELLS = HOSTILE_NUMBERS + HOSTILE_TEXT


def cell(ordinary: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Mostly an ordinary value, often a hostile one."""
    return st.one_of(ordinary, ordinary, st.sampled_from(HOSTILE_CELLS))


SKUS = st.sampled_from(["A1", "A2", "B7"])
NUMBERS = st.sampled_from(["1", "2.5", "6", "12", "0", "30"])
DATES = st.sampled_from(["2024-06-01", "2024-06-02", "2024-06-20"])


def _rows(columns: dict[str, st.SearchStrategy[str]], size: int) -> st.SearchStrategy:
    return st.lists(st.fixed_dictionaries(columns), min_size=1, max_size=size)


@st.composite
def hostile_extracts(draw: st.DrawFn) -> dict[str, pd.DataFrame]:
    """Text frames per kind, as a source hands them to the gate (file and line included)."""
    tables = {
        "suppliers": _rows(
            {"supplier_id": cell(st.just("S1")), "name": cell(st.just("Acme")),
             "currency": cell(st.just("EUR")), "min_order_value": cell(NUMBERS),
             "lead_time_days": cell(NUMBERS)},
            3,
        ),
        "items": _rows(
            {"sku": cell(SKUS), "location": cell(st.just("L1")),
             "supplier_id": cell(st.just("S1")), "unit_cost": cell(NUMBERS),
             "pack_size": cell(NUMBERS), "moq": cell(NUMBERS),
             "lead_time_days": cell(NUMBERS), "max_order_qty": cell(NUMBERS),
             "description": cell(st.just("tea"))},
            4,
        ),
        "demand": _rows(
            {"sku": cell(SKUS), "location": cell(st.just("L1")), "date": cell(DATES),
             "quantity": cell(NUMBERS), "channel": cell(st.just("pos"))},
            6,
        ),
        "stock": _rows(
            {"sku": cell(SKUS), "location": cell(st.just("L1")), "on_hand": cell(NUMBERS),
             "as_of": cell(st.just("2024-06-29"))},
            3,
        ),
        "open_orders": _rows(
            {"order_ref": cell(st.just("PO1")), "sku": cell(SKUS), "location": cell(st.just("L1")),
             "quantity": cell(NUMBERS), "due_date": cell(DATES)},
            2,
        ),
    }  # fmt: skip
    frames = {}
    for kind, rows in tables.items():
        frame = pd.DataFrame(draw(rows), dtype=object)
        frame["source_file"] = f"{kind}.csv"
        frame["source_line"] = range(2, len(frame) + 2)
        frames[kind] = frame
    return frames
