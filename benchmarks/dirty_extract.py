"""A dirty one-night extract of a chosen size: the validate benchmark's input.

Written here rather than by `replenish sample-data` so that its size (exactly N demand
rows) and its dirt (15% of rows, every kind the gate knows: copies, conflicts, missing
cells, odd date and number spellings, unknown and badly typed SKUs, negative and future
rows) are fixed by the benchmark and do not drift when the demo data changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

AS_OF = date(2026, 11, 25)
HISTORY_DAYS = 730
LOCATIONS = ("DC-NORTH", "DC-SOUTH", "STORE-01")
CHANNELS = ("pos", "web")
DEMAND_FILE = "demand.csv"
DIRTY_SHARE = 0.15
# Kinds of dirt and their share of the dirty rows. Copies are extra rows; every other
# kind spoils one otherwise clean row, so the file keeps exactly the rows asked for.
DIRT = {
    "exact_copy": 0.25,  # repaired: collapsed into the first copy
    "conflicting_copy": 0.05,  # quarantined together with the row it contradicts
    "missing_quantity": 0.10,
    "missing_key": 0.05,  # empty sku or location
    "date_format": 0.15,  # DD.MM.YYYY, YYYY/MM/DD, YYYYMMDD: repaired
    "bad_date": 0.03,
    "thousands_separator": 0.05,  # "1,234": repaired
    "decimal_comma": 0.02,  # "2,5" with decimal_comma off: quarantined
    "sku_format": 0.15,  # lower case, stray spaces: repaired
    "unknown_sku": 0.10,
    "negative_quantity": 0.03,
    "future_date": 0.02,
}
COPIES = ("exact_copy", "conflicting_copy")

IntArray = npt.NDArray[np.int64]
ObjArray = npt.NDArray[np.object_]


def _allocate(total: int, weights: dict[str, float]) -> dict[str, int]:
    """Split `total` by weight with the largest remainder, so the parts add up exactly."""
    share = np.array(list(weights.values())) / sum(weights.values()) * total
    counts = np.floor(share).astype(np.int64)
    counts[np.argsort(-(share - counts), kind="stable")[: total - int(counts.sum())]] += 1
    return dict(zip(weights, (int(c) for c in counts), strict=True))


def _catalogue(rows: int, rng: np.random.Generator) -> pd.DataFrame:
    """Item-locations for a file of `rows` demand rows: dense enough to look like sales."""
    n_skus = max(10, rows // 900)
    per_sku = rng.choice([1, 2, 3], n_skus, p=[0.3, 0.4, 0.3])
    sku = np.repeat(np.arange(n_skus), per_sku)
    first = np.cumsum(per_sku) - per_sku
    location = (np.arange(len(sku)) - np.repeat(first, per_sku) + sku) % len(LOCATIONS)
    n = len(sku)
    return pd.DataFrame(
        {
            "sku": np.array([f"SKU-{i + 1:05d}" for i in range(n_skus)], dtype=object)[sku],
            "location": np.array(LOCATIONS, dtype=object)[location],
            "supplier_id": [f"SUP-{k:02d}" for k in rng.integers(1, 6, n)],
            "unit_cost": rng.lognormal(np.log(6.0), 0.9, n).round(2),
            "pack_size": rng.choice([1, 6, 10, 12], n),
            "moq": rng.choice([0, 0, 12, 24], n),
            "lead_time_days": rng.integers(3, 22, n),
            "review_period_days": 7,
            "service_level": 0.95,
            "category": "Fasteners",
            "description": "Hex bolt M8",
            "active": "true",
        }
    )


@dataclass
class _Lines:
    """The demand file as three text pieces per line ("sku,location,", "date,",
    "quantity,channel\\n") plus the numbers they were rendered from."""

    day: IntArray
    series: IntArray
    channel: IntArray
    qty: IntArray
    prefix: ObjArray
    when: ObjArray
    tail: ObjArray


def write_dirty_folder(out_dir: Path, rows: int, seed: int = 11) -> dict[str, Any]:
    """Write items, suppliers, stock and one demand file of exactly `rows` rows.

    Returns what was written (rows per dirt kind) for the report. Lines are rendered
    from small lookup tables and joined in bulk, as `cli.sample_data` does: a
    csv writer would make the set-up slower than the steps it sets up.
    """
    rng = np.random.default_rng(seed)
    cat = _catalogue(rows, rng)
    dirt = _allocate(round(DIRTY_SHARE * rows), DIRT)
    n_copies = sum(dirt[k] for k in COPIES)
    lines = _clean_lines(cat, rows - n_copies, rng)
    clean = _spoil(lines, cat, dirt, rng)
    pieces = _with_copies(lines, clean, dirt, rng)
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_demand(out_dir / DEMAND_FILE, pieces)
    _write_small_tables(out_dir, cat, rng)
    return {"rows": rows, "item_locations": len(cat), "dirt": dirt}


def _clean_lines(cat: pd.DataFrame, n: int, rng: np.random.Generator) -> _Lines:
    """`n` distinct (item-location, day, channel) rows in export order: by date, then item."""
    n_series = len(cat)
    slots = np.sort(rng.choice(n_series * HISTORY_DAYS * len(CHANNELS), n, replace=False))
    day, rest = np.divmod(slots, n_series * len(CHANNELS))
    series, channel = np.divmod(rest, len(CHANNELS))
    level = np.clip(rng.lognormal(np.log(3.0), 0.8, n_series), 0.2, 60.0)
    qty = 1 + rng.poisson(level[series])
    skus, locs = cat["sku"].to_numpy(dtype=object), cat["location"].to_numpy(dtype=object)
    dates = np.array([f"{d.isoformat()}," for d in _dates()], dtype=object)
    qty_text = np.array([str(q) for q in range(int(qty.max()) + 1)], dtype=object)
    return _Lines(
        day,
        series,
        channel,
        qty,
        prefix=(skus + "," + locs + ",")[series],
        when=dates[day],
        tail=qty_text[qty] + _ENDINGS[channel],
    )


def _dates() -> list[date]:
    start = AS_OF - timedelta(days=HISTORY_DAYS)
    return [start + timedelta(days=d) for d in range(HISTORY_DAYS)]


_ENDINGS = np.array([f",{c}\n" for c in CHANNELS], dtype=object)


def _spoil(
    lines: _Lines, cat: pd.DataFrame, dirt: dict[str, int], rng: np.random.Generator
) -> IntArray:
    """Give each non-copy kind of dirt its share of rows; return the rows left clean."""
    order = rng.permutation(len(lines.qty))
    picked: dict[str, IntArray] = {}
    at = 0
    for kind in (k for k in DIRT if k not in COPIES):
        picked[kind] = np.sort(order[at : at + dirt[kind]])
        at += dirt[kind]
    skus, locs = cat["sku"].to_numpy(dtype=object), cat["location"].to_numpy(dtype=object)
    qty, day, series = lines.qty, lines.day, lines.series

    def set_qty(rows: IntArray, values: list[str]) -> None:
        lines.tail[rows] = np.array(values, dtype=object) + _ENDINGS[lines.channel[rows]]

    r = picked["missing_quantity"]
    set_qty(r, [""] * len(r))
    r = picked["negative_quantity"]
    set_qty(r, [f"-{q}" for q in qty[r]])
    r = picked["thousands_separator"]
    set_qty(r, [f'"{q:,}"' for q in rng.integers(1000, 5000, len(r))])
    r = picked["decimal_comma"]
    set_qty(r, [f'"{q},5"' for q in qty[r]])
    r = picked["date_format"]
    dates, formats = _dates(), ("%d.%m.%Y,", "%Y/%m/%d,", "%Y%m%d,")
    lines.when[r] = [
        dates[d].strftime(formats[k])
        for d, k in zip(day[r], rng.integers(0, 3, len(r)), strict=True)
    ]
    r = picked["bad_date"]
    bad = ("2025-13-45,", "n/a,", "yesterday,", "00.00.0000,", "2025-02-30,")
    lines.when[r] = [bad[k] for k in rng.integers(0, len(bad), len(r))]
    r = picked["future_date"]
    lines.when[r] = [f"{AS_OF + timedelta(days=int(k))}," for k in rng.integers(1, 60, len(r))]
    r = picked["missing_key"]
    half = len(r) // 2
    lines.prefix[r[:half]] = "," + locs[series[r[:half]]] + ","
    lines.prefix[r[half:]] = skus[series[r[half:]]] + ",,"
    r = picked["sku_format"]
    shapes = ("{}", " {}", " {} ", "{} ")
    lines.prefix[r] = [
        shapes[k].format(s.lower() if k != 3 else s) + f",{loc},"
        for s, loc, k in zip(
            skus[series[r]], locs[series[r]], rng.integers(0, 4, len(r)), strict=True
        )
    ]
    r = picked["unknown_sku"]
    lines.prefix[r] = [
        f"SKU-9{k:04d},{loc},"
        for k, loc in zip(rng.integers(0, 10_000, len(r)), locs[series[r]], strict=True)
    ]
    return order[at:]


def _with_copies(
    lines: _Lines, clean: IntArray, dirt: dict[str, int], rng: np.random.Generator
) -> tuple[ObjArray, ObjArray, ObjArray]:
    """Copies of clean rows, re-sent later in the file as export batches are; a
    conflicting copy carries another quantity for the same key."""
    n_base = len(lines.qty)
    n_copies = sum(dirt[k] for k in COPIES)
    sources = rng.choice(clean, n_copies, replace=False)
    copy_tail = lines.tail[sources].copy()
    conflicting = np.arange(dirt["exact_copy"], n_copies)
    other = lines.qty[sources[conflicting]] + rng.integers(1, 6, len(conflicting))
    copy_tail[conflicting] = (
        np.array([str(q) for q in other], dtype=object)
        + _ENDINGS[lines.channel[sources[conflicting]]]
    )
    later = np.minimum(sources + rng.integers(1, 20_000, n_copies), n_base - 1)
    order = np.argsort(np.concatenate([2 * np.arange(n_base), 2 * later + 1]), kind="stable")
    return (
        np.concatenate([lines.prefix, lines.prefix[sources]])[order],
        np.concatenate([lines.when, lines.when[sources]])[order],
        np.concatenate([lines.tail, copy_tail])[order],
    )


def _write_demand(path: Path, pieces: tuple[ObjArray, ObjArray, ObjArray]) -> None:
    """One write per block of lines: bounded memory for the text, no per-line cost."""
    block = 200_000
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("sku,location,date,quantity,channel\n")
        for s in range(0, len(pieces[0]), block):
            parts = (p[s : s + block] for p in pieces)
            out.write("".join(map("".join, zip(*parts, strict=True))))


def _write_small_tables(out_dir: Path, cat: pd.DataFrame, rng: np.random.Generator) -> None:
    """items.csv, suppliers.csv and stock.csv matching the demand file, all clean."""
    cat.to_csv(out_dir / "items.csv", index=False, lineterminator="\n")
    suppliers = pd.DataFrame(
        {
            "supplier_id": [f"SUP-{k:02d}" for k in range(1, 6)],
            "name": [f"Supplier {k}" for k in range(1, 6)],
            "currency": "EUR",
            "lead_time_days": 10,
        }
    )
    suppliers.to_csv(out_dir / "suppliers.csv", index=False, lineterminator="\n")
    stock = cat[["sku", "location"]].assign(on_hand=rng.integers(-3, 200, len(cat)))
    stock.to_csv(out_dir / "stock.csv", index=False, lineterminator="\n")
