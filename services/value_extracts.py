"""Outcomes read from later extracts: the demand that followed the orders and the stock
on the nights after them.

The runs table records which extract each night read (`runs.source`). The latest
readable one gives the demand history up to its night; each night's own extract gives
that night's stock (its `stock.csv` when dated that night) and the latest one's
`stock_history` adds any earlier days it carries. Every extract goes through the same
data-quality validation as a night, so a dirty row is judged the same way here.
An extract that is gone (a folder overwritten by the next night) just leaves its night
unobserved: the report says so rather than inventing stock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from dataquality import ValidationRules, validate
from integrations.sources.base import CsvFolderSource

KEYS = ["sku", "location"]


@dataclass(frozen=True)
class LaterExtracts:
    """Daily demand (sku, location, date, quantity), stock per night (sku, location,
    night, on_hand), and the last day of demand they cover (None: no extract readable)."""

    demand: pd.DataFrame
    stock: pd.DataFrame
    known_until: pd.Timestamp | None
    folders_read: int


def read_later_extracts(
    nights: list[dict[str, Any]], rules: ValidationRules, latest_folder: Path | None = None
) -> LaterExtracts:
    """`nights`: (as_of, source) of the nightly runs, oldest first. `latest_folder`, when
    given, is read as the newest extract (the CLI's --source)."""
    readable = [(n["as_of"], Path(n["source"])) for n in nights if _is_extract(n["source"])]
    if latest_folder is not None:
        readable.append((None, latest_folder))
    demand = pd.DataFrame(columns=[*KEYS, "date", "quantity"])
    stocks: list[pd.DataFrame] = []
    seen: dict[Path, dict[str, pd.DataFrame]] = {}
    for as_of, folder in readable:
        tables = seen.get(folder) or _validated(folder, as_of, rules)
        seen[folder] = tables
        stock = tables["stock"]
        if len(stock) and "as_of" in stock.columns:
            dated = stock.dropna(subset=["as_of"])
            stocks.append(
                dated.assign(night=pd.to_datetime(dated["as_of"]))[[*KEYS, "night", "on_hand"]]
            )
    if readable:
        newest = seen[readable[-1][1]]
        demand = newest["demand"][[*KEYS, "date", "quantity"]]
        history = newest.get("stock_history")
        if history is not None and len(history):
            stocks.append(history.rename(columns={"date": "night"})[[*KEYS, "night", "on_hand"]])
    stock = (
        pd.concat(stocks, ignore_index=True).drop_duplicates([*KEYS, "night"], keep="last")
        if stocks
        else pd.DataFrame(columns=[*KEYS, "night", "on_hand"])
    )
    known = pd.Timestamp(pd.to_datetime(demand["date"]).max()) if len(demand) else None
    return LaterExtracts(demand, stock, known, len(seen))


def _is_extract(source: object) -> bool:
    return isinstance(source, str) and Path(source).is_dir()


def _validated(folder: Path, as_of: date | None, rules: ValidationRules) -> dict[str, pd.DataFrame]:
    raw = CsvFolderSource(folder).read()
    files: dict[str, list[str]] = {}
    for info in raw.files:
        files.setdefault(info.kind, []).append(info.file)
    night = as_of or _stock_date(raw.frames.get("stock")) or date.today()
    return dict(validate(raw.frames, as_of=night, rules=rules, files=files).tables)


def _stock_date(stock: pd.DataFrame | None) -> date | None:
    """The night a folder given on the command line was extracted: its stock's as_of."""
    if stock is None or "as_of" not in stock.columns:
        return None
    # The CSV source keeps repeated text as categories; their dates are not ordered.
    dates = pd.to_datetime(stock["as_of"].astype(object), errors="coerce").dropna()
    return None if dates.empty else dates.max().date()
