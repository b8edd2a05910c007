"""Hostile and clumsy input values, shared by the property tests.

`HOSTILE_CELLS` is what a broken export or an attacker puts in a cell; `hostile_extracts`
builds a small extract whose cells are drawn from them and from ordinary values.
`DEMAND_DAMAGES` is what a broken export does to one row of a demand file (a field too
many or too few, a NUL byte, a byte of no encoding, a placeholder date), and
`split_demand` spreads an extract's demand over several files of different columns, so
a damage can be put in the first or the last of them (`test_hostile_extract.py`).
`HOSTILE_QUANTITIES` is the text a person may type as a quantity (the CLI's `--qty`, the
review page's form): the hook for the review-decision property test, whose decision
channel is being moved into `services/` (issue 10); see
`tests/integration/test_hostile_values.py::review_decision_hook`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

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


@dataclass(frozen=True)
class RowDamage:
    """One damage to one data row: the fields as bytes (and the file's header) in,
    the damaged fields out; `reason` is the code the gate must quarantine it with."""

    name: str
    reason: str
    damage: Callable[[list[bytes], list[str]], list[bytes]]

    def apply(self, line: bytes, header: list[str]) -> bytes:
        return b",".join(self.damage(line.split(b","), header))


def _at(fields: list[bytes], header: list[str], column: str, value: bytes) -> list[bytes]:
    fields = list(fields)
    fields[header.index(column)] = value
    return fields


DEMAND_DAMAGES = (
    # `...,1,234,web`: read by the first file's columns it was quantity 1 of channel "234"
    RowDamage("extra-field", "MALFORMED_ROW", lambda f, h: [*f[:-1], b"234", f[-1]]),
    RowDamage("missing-field", "MALFORMED_ROW", lambda f, h: f[:-1]),
    RowDamage(
        "nul-byte",
        "BAD_ENCODING",
        lambda f, h: _at(f, h, "quantity", f[h.index("quantity")] + b"\x00"),
    ),
    # 0x81 is text in neither UTF-8 nor cp1252
    RowDamage(
        "bad-encoding",
        "BAD_ENCODING",
        lambda f, h: _at(f, h, "quantity", b"\x81" + f[h.index("quantity")]),
    ),
    RowDamage("ancient-date", "ANCIENT_DATE", lambda f, h: _at(f, h, "date", b"1900-01-01")),
)

# Three demand files of different shapes: the store sales in two (the second in another
# column order), the web sales without a channel column (one channel, so no key repeats).
DEMAND_FILES = {
    "demand_1_pos.csv": ["sku", "location", "date", "quantity", "channel"],
    "demand_2_web.csv": ["sku", "location", "date", "quantity"],
    "demand_3_pos.csv": ["date", "sku", "location", "quantity", "channel"],
}


def split_demand(folder: Path) -> list[str]:
    """The sample's demand_pos.csv and demand_web.csv rewritten as the three
    `DEMAND_FILES`; their names, in the order the source reads them."""
    pos, web = (folder / "demand_pos.csv", folder / "demand_web.csv")
    store = pd.read_csv(pos, dtype=str, keep_default_na=False)
    parts = {
        "demand_1_pos.csv": store.iloc[0::2],
        "demand_2_web.csv": pd.read_csv(web, dtype=str, keep_default_na=False),
        "demand_3_pos.csv": store.iloc[1::2],
    }
    pos.unlink()
    web.unlink()
    for name, part in parts.items():
        part[DEMAND_FILES[name]].to_csv(folder / name, index=False, lineterminator="\n")
    return sorted(parts)


def damage_row(path: Path, line: int, damage: RowDamage) -> bytes:
    """Damage the file's physical `line` (1 = the header); the damaged line is returned."""
    lines = path.read_bytes().split(b"\n")
    header = lines[0].decode().split(",")
    lines[line - 1] = damage.apply(lines[line - 1], header)
    path.write_bytes(b"\n".join(lines))
    return lines[line - 1]
