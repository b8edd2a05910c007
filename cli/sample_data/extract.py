"""One night's sample extract: the entry points that draw it and write it to a folder.

Everything is drawn from one seed, split into independent streams per part, so a
failing run can be replayed byte for byte.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from cli.sample_data.catalogue import (
    PROFILES,
    build_catalogue,
    items_frame,
    suppliers_frame,
)
from cli.sample_data.demand import CHANNELS, HISTORY_DAYS, demand_matrix, split_channels
from cli.sample_data.demand_lines import DEMAND_COLUMNS, demand_pieces
from cli.sample_data.dirt import dirty_items, dirty_stock
from cli.sample_data.stock import open_orders_frame, stock_frame
from cli.sample_data.writer import write_frame, write_lines

FILES = (
    "items.csv",
    "suppliers.csv",
    "demand_pos.csv",
    "demand_web.csv",
    "stock.csv",
    "open_orders.csv",
)
_MAX_ITEMS = 90_000  # keeps SKU-99xxx free for the "unknown SKU" dirt


@dataclass(frozen=True)
class SampleSummary:
    """What was written, so the CLI and tests can report it without re-reading the files."""

    out_dir: Path
    as_of: date
    history_start: date
    history_end: date
    files: dict[str, int]  # file name -> data rows written (header excluded)
    items: int
    item_locations: int
    profiles: dict[str, int]  # generated demand profile -> item-locations
    dirty_rows: dict[str, int]  # "<table>.<kind>" -> rows; empty when dirty=0


def write_sample_data(
    out_dir: Path, *, items: int = 60, seed: int = 7, dirty: float = 0.03, as_of: date
) -> SampleSummary:
    """Write one night's extract for `as_of`; the same arguments give byte-identical files.

    Clean content does not depend on `dirty`: the dirt is drawn from its own random
    stream and laid over the same clean rows, so a clean and a dirty folder compare.
    Existing files of the same names are overwritten; nothing else in the folder is touched.
    """
    _check_arguments(items, dirty)
    if isinstance(as_of, datetime):  # a timestamp would leak its time into every date
        as_of = as_of.date()
    catalogue_rng, demand_rng, stock_rng, dirt_rng = np.random.default_rng(seed).spawn(4)
    cat = build_catalogue(items, catalogue_rng)
    start = as_of - timedelta(days=HISTORY_DAYS)
    dates = [start + timedelta(days=t) for t in range(HISTORY_DAYS)]
    demand, bulk = demand_matrix(cat, demand_rng, start.weekday())
    by_channel = split_channels(demand, bulk, cat, demand_rng)
    recent_mean = demand[-56:].mean(axis=0)
    del demand, bulk  # the largest arrays; the demand files need the memory

    out_dir.mkdir(parents=True, exist_ok=True)
    rows: dict[str, int] = {}
    dirt: Counter[str] = Counter()
    rows["suppliers.csv"] = write_frame(out_dir / "suppliers.csv", suppliers_frame())
    items_table = dirty_items(items_frame(cat), dirt_rng, dirty, dirt)
    rows["items.csv"] = write_frame(out_dir / "items.csv", items_table)
    stock = dirty_stock(stock_frame(cat, recent_mean, stock_rng, as_of), dirt_rng, dirty, dirt)
    rows["stock.csv"] = write_frame(out_dir / "stock.csv", stock)
    orders = open_orders_frame(cat, recent_mean, stock_rng, as_of)
    rows["open_orders.csv"] = write_frame(out_dir / "open_orders.csv", orders)
    for channel, (day, series, qty) in zip(CHANNELS, by_channel, strict=True):
        file_dirt: Counter[str] = Counter()
        pieces = demand_pieces(day, series, qty, channel, cat, dates, dirt_rng, dirty, file_dirt)
        write_lines(out_dir / f"demand_{channel}.csv", DEMAND_COLUMNS, pieces)
        rows[f"demand_{channel}.csv"] = len(qty) + file_dirt["demand.duplicate_row"]
        dirt.update(file_dirt)

    profiles = cat["profile"].value_counts()
    return SampleSummary(
        out_dir=out_dir,
        as_of=as_of,
        history_start=dates[0],
        history_end=dates[-1],
        files={name: rows[name] for name in FILES},
        items=items,
        item_locations=len(cat),
        profiles={p: int(profiles.get(p, 0)) for p in PROFILES},
        dirty_rows={k: v for k, v in sorted(dirt.items()) if v > 0},
    )


def sample_profiles(*, items: int = 60, seed: int = 7) -> pd.DataFrame:
    """The generated demand profile per item-location (sku, location, profile).

    Kept out of the CSV files on purpose: the forecaster has to find the class itself,
    and tests compare what it found with what was generated. Same rows and order as
    items.csv written with the same `items` and `seed`.
    """
    _check_arguments(items, 0.0)
    cat = build_catalogue(items, np.random.default_rng(seed).spawn(4)[0])
    return cat[["sku", "location", "profile"]].reset_index(drop=True)


def _check_arguments(items: int, dirty: float) -> None:
    """Refuse early what would otherwise fail deep inside, or collide with SKU-99xxx."""
    if not 1 <= items <= _MAX_ITEMS:
        raise ValueError(f"items must be between 1 and {_MAX_ITEMS}, got {items}")
    if not 0.0 <= dirty <= 0.5:
        raise ValueError(f"dirty must be a share between 0 and 0.5, got {dirty}")
