"""The data the policy benchmark replays, each read and validated exactly as the night
does: the M5 subset (real daily sales, terms this benchmark states) and the generated
10,000-item-location sample (`replenish sample-data --items 5000 --seed 3`)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from benchmarks.m5_service import AS_OF as M5_AS_OF
from benchmarks.m5_service import DATA as M5_DATA
from benchmarks.m5_service import write_extract

SAMPLE_ITEMS, SAMPLE_SEED, QUICK_SAMPLE_ITEMS = 5_000, 3, 400
SAMPLE_AS_OF = date(2026, 12, 1)


@dataclass(frozen=True)
class Extract:
    """One night's validated tables and the settings they are planned with."""

    name: str
    as_of: date
    items: pd.DataFrame
    demand: pd.DataFrame
    stock: pd.DataFrame
    open_orders: pd.DataFrame
    settings: object  # settings.Settings (kept loose: imported in the child)
    note: str


def m5(out: Path) -> Extract | None:
    """The M5 subset: lead time and review 7 days, unit cost by category, lost sales
    (a shop), nothing on hand at the start (`benchmarks.m5_service`). None when absent."""
    if not M5_DATA.is_dir():
        return None
    folder = write_extract(out)
    note = ("280 Walmart item-stores, daily; lead 7 + review 7 days; FOODS 3.00, HOUSEHOLD "
            "6.00, HOBBIES 8.00 EUR; pack 1, no MOQ; unmet demand lost")  # fmt: skip
    return _read("M5 subset", folder, date.fromisoformat(M5_AS_OF), note)


def sample(out: Path, items: int) -> Extract:
    """The generated catalogue (`replenish sample-data`), its own lead times and terms."""
    from cli.sample_data import write_sample_data

    folder = out / f"sample-{items}"
    if not (folder / "items.csv").exists():
        write_sample_data(folder, items=items, seed=SAMPLE_SEED, as_of=SAMPLE_AS_OF)
    note = (f"replenish sample-data --items {items} --seed {SAMPLE_SEED} (default dirt), its "
            "lead times, packs and MOQs; unmet demand lost")  # fmt: skip
    return _read(f"sample, {items:,} items", folder, SAMPLE_AS_OF, note)


def _read(name: str, folder: Path, as_of: date, note: str) -> Extract:
    from cli.commands.extract import read_checked

    extract = read_checked(argparse.Namespace(source=folder, config=None, as_of=as_of))
    tables = extract.checked.tables
    return Extract(
        name, as_of, tables["items"], tables["demand"], tables["stock"], tables["open_orders"],
        extract.settings, note,
    )  # fmt: skip
