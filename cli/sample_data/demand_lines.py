"""The lines of a demand file, pre-rendered as string pieces, dirt included.

A demand file has millions of lines for a large catalogue; rendering them from small
lookup tables is what keeps writing one within seconds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date

import numpy as np
import pandas as pd

from cli.sample_data.arrays import IntArray, ObjArray
from cli.sample_data.dirt import pick_dirty_rows, sku_variants

DEMAND_COLUMNS = ("sku", "location", "date", "quantity", "channel")


def demand_pieces(
    day: IntArray,
    series: IntArray,
    qty: IntArray,
    channel: str,
    cat: pd.DataFrame,
    dates: Sequence[date],
    rng: np.random.Generator,
    dirty: float,
    dirt: Counter[str],
) -> tuple[ObjArray, ObjArray, ObjArray]:
    """A demand file's lines as pieces: "sku,location,", "date," and "quantity,channel\\n".

    Rendering from small lookup tables and joining three pieces per line is what keeps a
    10,000-item extract (millions of lines) within seconds; the dirt then overrides the
    pieces of the rows it picked, each row getting at most one kind of dirt.
    """
    skus = cat["sku"].to_numpy(dtype=object)
    locs = cat["location"].to_numpy(dtype=object)
    prefix = (skus + "," + locs + ",")[series]
    when = np.array([f"{d.isoformat()}," for d in dates], dtype=object)[day]
    amounts = np.array(
        [f"{q},{channel}\n" for q in range(int(qty.max(initial=0)) + 1)], dtype=object
    )[qty]
    picked = pick_dirty_rows(qty, series, round(dirty * len(qty)), rng)
    if not picked:
        return prefix, when, amounts

    def render(values: Iterable[str], sep: str) -> ObjArray:
        return np.array([v + sep for v in values], dtype=object)

    def qty_text(rows: IntArray, values: Iterable[str]) -> None:
        amounts[rows] = render(values, f",{channel}\n")

    rows = picked["thousands_separator"]
    qty_text(rows, (_csv_field(f"{q:,}") for q in qty[rows]))  # the only value needing quotes
    rows = picked["missing_quantity"]
    qty_text(rows, ("" for _ in rows))
    rows = picked["negative_quantity"]
    qty_text(rows, (f"-{q}" for q in qty[rows]))
    rows = picked["padded_number"]
    pads = (" {} ", " {}", "{} ")
    qty_text(
        rows,
        (pads[k].format(q) for k, q in zip(rng.integers(0, 3, len(rows)), qty[rows], strict=True)),
    )
    rows = picked["date_format"]
    # Only unambiguous variants: day-first with a day above 12, otherwise year-first.
    when[rows] = render(
        (
            f"{dates[d]:%d.%m.%Y}" if dates[d].day > 12 else f"{dates[d]:%Y/%m/%d}"
            for d in day[rows]
        ),
        ",",
    )
    rows = picked["sku_format"]
    prefix[rows] = render(sku_variants(skus[series[rows]], rng), ",") + locs[series[rows]] + ","
    rows = picked["unknown_sku"]
    unknown = (f"SKU-99{k:03d}" for k in rng.integers(0, 1000, len(rows)))
    prefix[rows] = render(unknown, ",") + locs[series[rows]] + ","
    # The copy follows its original, as re-sent export batches do. It rides in the last
    # piece of the original's line, which spares repeating millions of clean pieces.
    rows = picked["duplicate_row"]
    amounts[rows] = amounts[rows] + prefix[rows] + when[rows] + amounts[rows]
    dirt.update({f"demand.{kind}": len(rows) for kind, rows in picked.items()})
    return prefix, when, amounts


def _csv_field(value: str) -> str:
    """Quote like csv.QUOTE_MINIMAL does, for the pre-rendered demand lines."""
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value
