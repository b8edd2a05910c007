"""A realistic, reproducible nightly extract in the CSV folder format of the data contract.

Demos, tests and benchmarks need data that behaves like production without being
production: the forecaster must meet every demand class it is built for, the planner
real pack sizes and supplier terms, and the data-quality gate the same kinds of dirt the
six source systems produce. Everything is drawn from one seed so a failing run can be
replayed byte for byte.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

HISTORY_DAYS = 730
LOCATIONS = ("DC-NORTH", "DC-SOUTH", "STORE-01")
CHANNELS = ("pos", "web")
FILES = ("items.csv", "suppliers.csv", "demand_pos.csv", "demand_web.csv", "stock.csv",
         "open_orders.csv")
DEMAND_COLUMNS = ("sku", "location", "date", "quantity", "channel")
PROFILES = ("smooth", "seasonal", "intermittent", "lumpy", "new", "no_demand")
# Shares of item-locations per profile; every profile gets at least one series so a
# small sample still exercises every forecasting path.
_PROFILE_SHARES = (0.29, 0.20, 0.25, 0.15, 0.09, 0.02)
_MAX_ITEMS = 90_000  # keeps SKU-99xxx free for the "unknown SKU" dirt

# supplier_id, name, email, min_order_value, order_days, currency, lead_time_days
_SUPPLIERS = (
    ("SUP-01", "Nordbolt Fasteners GmbH", "orders@nordbolt.example.com", 250, "Mon;Thu", 7),
    ("SUP-02", "Voltline Electrical BV", "sales@voltline.example.com", 500, "Tue", 14),
    ("SUP-03", "Keystone Tools Ltd", "po@keystone-tools.example.com", 150, "", 10),
    ("SUP-04", "Guardwell Safety SA", "orders@guardwell.example.com", 0, "Mon;Wed;Fri", 5),
    ("SUP-05", "Brightmop Cleaning Supplies", "orders@brightmop.example.com", 100, "", 21),
)
# Category i is mostly bought from supplier i; median unit cost per category.
_CATEGORIES = ("Fasteners", "Electrical", "Tools", "Safety", "Cleaning")
_MEDIAN_COST = np.array([1.5, 9.0, 22.0, 7.0, 4.5])
_NOUNS = np.array([
    ["Hex bolt", "Wood screw", "Wall plug", "Washer", "Hex nut", "Threaded rod"],
    ["Cable tie", "Junction box", "LED bulb", "Extension lead", "Fuse", "Wire connector"],
    ["Claw hammer", "Screwdriver set", "Spirit level", "Utility knife", "Hacksaw", "Pliers"],
    ["Safety glasses", "Work gloves", "Ear defenders", "Hi-vis vest", "Dust mask", "Hard hat"],
    ["Microfibre cloth", "Floor cleaner", "Mop head", "Bin bags", "Hand soap", "Degreaser"],
], dtype=object)
_VARIANTS = np.array([
    ["M6", "M8", "M10", "4x40", "5x60", "6x80"],
    ["200 mm", "IP55", "E27 9W", "10 m", "13 A", "3-way"],
    ["small", "medium", "large", "pro", "200 mm", "300 mm"],
    ["size M", "size L", "size XL", "EN 166", "FFP2", "class 2"],
    ["1 L", "5 L", "10 pack", "50 pack", "refill", "heavy duty"],
], dtype=object)
# Weekday factors (Mon..Sun): distribution centres ship on weekdays, the store peaks on
# Saturday. Normalised below so a series' level is its mean daily demand.
_WEEKLY = np.array([
    [1.25, 1.15, 1.15, 1.1, 1.1, 0.2, 0.05],
    [1.2, 1.2, 1.1, 1.1, 1.15, 0.2, 0.05],
    [0.8, 0.8, 0.85, 0.9, 1.1, 1.6, 0.95],
])
_WEEKLY = _WEEKLY / _WEEKLY.mean(axis=1, keepdims=True)
# Web orders ship from the distribution centres; the store only sells over the counter.
_WEB_SHARE = np.array([0.35, 0.3, 0.0])  # per location, for items sold online at all

# Share of item-locations whose feed carries the dirt that must be quarantined.
_BAD_FEED_SHARE = 0.12
_FEED_DIRT = frozenset({"missing_quantity", "negative_quantity"})
# Demand dirt and its weight in the dirty share of each demand file.
_DEMAND_DIRT = {
    "duplicate_row": 0.2,
    "missing_quantity": 0.1,
    "date_format": 0.15,
    "thousands_separator": 0.1,
    "padded_number": 0.1,
    "sku_format": 0.15,
    "unknown_sku": 0.1,
    "negative_quantity": 0.1,
}

IntArray = npt.NDArray[np.int64]
ObjArray = npt.NDArray[np.object_]


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
    cat = _catalogue(items, catalogue_rng)
    start = as_of - timedelta(days=HISTORY_DAYS)
    dates = [start + timedelta(days=t) for t in range(HISTORY_DAYS)]
    demand, bulk = _demand_matrix(cat, demand_rng, start.weekday())
    by_channel = _split_channels(demand, bulk, cat, demand_rng)
    recent_mean = demand[-56:].mean(axis=0)
    del demand, bulk  # the largest arrays; the demand files need the memory

    out_dir.mkdir(parents=True, exist_ok=True)
    rows: dict[str, int] = {}
    dirt: Counter[str] = Counter()
    rows["suppliers.csv"] = _write_frame(out_dir / "suppliers.csv", _suppliers_frame())
    items_frame = _dirty_items(_items_frame(cat), dirt_rng, dirty, dirt)
    rows["items.csv"] = _write_frame(out_dir / "items.csv", items_frame)
    stock = _dirty_stock(_stock_frame(cat, recent_mean, stock_rng, as_of), dirt_rng, dirty, dirt)
    rows["stock.csv"] = _write_frame(out_dir / "stock.csv", stock)
    orders = _open_orders_frame(cat, recent_mean, stock_rng, as_of)
    rows["open_orders.csv"] = _write_frame(out_dir / "open_orders.csv", orders)
    for channel, (day, series, qty) in zip(CHANNELS, by_channel, strict=True):
        file_dirt: Counter[str] = Counter()
        pieces = _demand_pieces(day, series, qty, channel, cat, dates, dirt_rng, dirty, file_dirt)
        _write_lines(out_dir / f"demand_{channel}.csv", DEMAND_COLUMNS, pieces)
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
    cat = _catalogue(items, np.random.default_rng(seed).spawn(4)[0])
    return cat[["sku", "location", "profile"]].reset_index(drop=True)


def _check_arguments(items: int, dirty: float) -> None:
    """Refuse early what would otherwise fail deep inside, or collide with SKU-99xxx."""
    if not 1 <= items <= _MAX_ITEMS:
        raise ValueError(f"items must be between 1 and {_MAX_ITEMS}, got {items}")
    if not 0.0 <= dirty <= 0.5:
        raise ValueError(f"dirty must be a share between 0 and 0.5, got {dirty}")


# --- catalogue -------------------------------------------------------------------------


def _catalogue(items: int, rng: np.random.Generator) -> pd.DataFrame:
    """One row per item-location with every attribute the files and the demand need."""
    category = rng.integers(0, len(_CATEGORIES), items)
    other_supplier = rng.integers(0, len(_SUPPLIERS), items)
    supplier = np.where(rng.random(items) < 0.15, other_supplier, category)
    cost = np.clip(rng.lognormal(np.log(_MEDIAN_COST[category]), 0.9), 0.5, 400.0).round(2)
    # Cheap parts come in boxes, expensive ones by the piece.
    pack = np.select(
        [cost < 3, cost < 25],
        [rng.choice([10, 12, 24, 50], items), rng.choice([1, 6, 10, 12], items)],
        rng.choice([1, 1, 6], items),
    )
    moq = pack * rng.choice([1, 1, 1, 2, 4, 5], items)
    item_lead = rng.normal(0.0, 2.0, items)
    description = (_NOUNS[category, rng.integers(0, 6, items)] + " "
                   + _VARIANTS[category, rng.integers(0, 6, items)])

    # Each item is stocked at 1-3 locations, chosen at random.
    n_locations = rng.choice([1, 2, 3], items, p=[0.3, 0.4, 0.3])
    rank = np.argsort(np.argsort(rng.random((items, len(LOCATIONS))), axis=1), axis=1)
    item, loc = np.nonzero(rank < n_locations[:, None])
    rows = len(item)

    lead_base = np.array([s[5] for s in _SUPPLIERS])[supplier[item]]
    lead = np.clip(np.rint(lead_base + item_lead[item] + (loc == 2)), 2, 30).astype(np.int64)
    lead_std = np.where(rng.random(rows) < 0.2, 0.0, lead * rng.uniform(0.05, 0.3, rows)).round(1)
    max_qty = np.where(rng.random(rows) < 0.1,
                       moq[item] * rng.choice([10, 20, 50], rows), -1)
    counts = np.maximum(1, np.floor(np.array(_PROFILE_SHARES) * rows)).astype(np.int64)
    counts[0] = max(0, rows - counts[1:].sum())  # smooth takes the rounding remainder
    profile = rng.permutation(np.repeat(np.arange(len(PROFILES)), counts))[:rows]

    skus = np.array([f"SKU-{i:05d}" for i in range(1, items + 1)], dtype=object)
    return pd.DataFrame({
        "sku": skus[item],
        "location": np.array(LOCATIONS, dtype=object)[loc],
        "loc_idx": loc,
        "supplier_idx": supplier[item],
        "supplier_id": np.array([s[0] for s in _SUPPLIERS], dtype=object)[supplier[item]],
        "unit_cost": cost[item],
        "pack_size": pack[item],
        "moq": moq[item],
        "lead_time_days": lead,
        "lead_time_std_days": lead_std,
        "service_level": rng.choice([0.9, 0.95, 0.98], rows, p=[0.3, 0.5, 0.2]),
        "max_order_qty": pd.Series(max_qty, dtype="Int64").mask(max_qty <= 0),
        "category": np.array(_CATEGORIES, dtype=object)[category[item]],
        "description": description[item],
        "profile": np.array(PROFILES, dtype=object)[profile],
    })


def _suppliers_frame() -> pd.DataFrame:
    """The five suppliers; fixed, because buyers recognise names faster than random ones."""
    frame = pd.DataFrame(_SUPPLIERS, columns=[
        "supplier_id", "name", "email", "min_order_value", "order_days", "lead_time_days"])
    frame.insert(5, "currency", "EUR")
    return frame


def _items_frame(cat: pd.DataFrame) -> pd.DataFrame:
    """items.csv columns: required first, then the optional ones the sample fills."""
    frame = cat[["sku", "location", "supplier_id", "unit_cost", "pack_size", "moq",
                 "lead_time_days", "lead_time_std_days", "service_level"]].copy()
    frame["review_period_days"] = 7
    frame["max_order_qty"] = cat["max_order_qty"]
    frame["category"] = cat["category"]
    frame["description"] = cat["description"]
    frame["active"] = "true"
    return frame


# --- demand ----------------------------------------------------------------------------


def _demand_matrix(
    cat: pd.DataFrame, rng: np.random.Generator, first_weekday: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Daily demand as a (day, series) matrix, each profile drawn as one block of arrays.

    Also returns where the bulk orders are: they exist so that quantities of 1000 and
    more appear (a thousands separator needs one), and they come through one channel.
    """
    dows = (first_weekday + np.arange(HISTORY_DAYS)) % 7
    demand = np.zeros((HISTORY_DAYS, len(cat)), dtype=np.int64)
    bulk = np.zeros_like(demand, dtype=bool)
    profile = cat["profile"].to_numpy()
    loc = cat["loc_idx"].to_numpy()
    for name in PROFILES:
        cols = np.flatnonzero(profile == name)
        if len(cols) == 0 or name == "no_demand":
            continue
        weekly = _WEEKLY[loc[cols]][:, dows]
        if name in ("smooth", "seasonal"):
            block = _steady_demand(rng, weekly, seasonal=name == "seasonal")
        elif name == "new":
            block = _new_demand(rng, weekly)
        else:
            block, bulk_series, bulk_days = _sporadic_demand(rng, len(cols), lumpy=name == "lumpy")
            bulk[bulk_days, cols[bulk_series]] = True
        demand[:, cols] = block.T
    return demand, bulk


def _steady_demand(
    rng: np.random.Generator, weekly: npt.NDArray[np.float64], *, seasonal: bool
) -> IntArray:
    """Sold most days around a level with a weekly rhythm, a mild trend and maybe a season.

    A gamma multiplier on the Poisson rate makes the counts over-dispersed, as real sales
    are; the season is a yearly sine with its own amplitude and peak per series.
    """
    n = len(weekly)
    days = np.arange(HISTORY_DAYS)
    level = np.clip(rng.lognormal(np.log(4.0), 0.8, n), 1.5, 150.0)
    rate = level[:, None] * weekly
    rate *= 1.0 + rng.normal(0.0, 0.15, n)[:, None] * (days / HISTORY_DAYS - 0.5)
    if seasonal:
        amp = rng.uniform(0.3, 0.8, n)[:, None]
        phase = rng.uniform(0.0, 2 * np.pi, n)[:, None]
        rate *= 1.0 + amp * np.sin(2 * np.pi * days / 365.25 + phase)
    return rng.poisson(np.maximum(rate, 0.0) * rng.gamma(8.0, 1 / 8.0, rate.shape))


def _new_demand(rng: np.random.Generator, weekly: npt.NDArray[np.float64]) -> IntArray:
    """Steady sales that began 10 to 40 days ago: too little history for most models."""
    n = len(weekly)
    level = rng.lognormal(np.log(3.0), 0.7, n)
    age = rng.integers(10, 41, n)
    started = np.arange(HISTORY_DAYS) >= HISTORY_DAYS - age[:, None]
    return rng.poisson(level[:, None] * weekly) * started


def _sporadic_demand(
    rng: np.random.Generator, n: int, *, lumpy: bool
) -> tuple[IntArray, IntArray, IntArray]:
    """Rare sales: small and steady sizes (intermittent) or wildly varying ones (lumpy).

    Lumpy series also get a few bulk project orders of 1000-5000 units; returns the
    block and the (series, day) of those bulk orders.
    """
    p = rng.uniform(0.02, 0.1, n) if lumpy else rng.uniform(0.05, 0.2, n)
    rows, days = np.nonzero(rng.random((n, HISTORY_DAYS)) < p[:, None])
    block = np.zeros((n, HISTORY_DAYS), dtype=np.int64)
    if not lumpy:
        block[rows, days] = 1 + rng.poisson(rng.uniform(0.3, 2.0, n)[rows])
        return block, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    block[rows, days] = np.ceil(rng.lognormal(np.log(rng.uniform(3.0, 30.0, n)[rows]), 1.0))
    n_bulk = max(3, n // 8)
    bulk_series, bulk_days = rng.integers(0, n, n_bulk), rng.integers(0, HISTORY_DAYS, n_bulk)
    block[bulk_series, bulk_days] = rng.integers(1000, 5001, n_bulk)
    return block, bulk_series, bulk_days


def _split_channels(
    demand: npt.NDArray[np.int64], bulk: npt.NDArray[np.bool_], cat: pd.DataFrame,
    rng: np.random.Generator,
) -> list[tuple[IntArray, IntArray, IntArray]]:
    """Non-zero (day, series, quantity) rows per channel, ordered by date then sku.

    Two fifths of the item-locations are not sold online; the rest sends a location's
    share of each day's units through the web shop (stochastic rounding: as realistic as a
    binomial draw here and several times faster). Bulk orders stay at the counter.
    """
    day, series = np.nonzero(demand)
    qty = demand[day, series]
    online = rng.random(len(cat)) >= 0.4
    share = np.where(online, _WEB_SHARE[cat["loc_idx"].to_numpy()], 0.0)[series]
    web = np.floor(qty * share + rng.random(len(qty))).astype(np.int64)
    web[bulk[day, series]] = 0
    out = []
    for part in (qty - web, web):
        keep = part > 0
        out.append((day[keep], series[keep], part[keep]))
    return out


def _demand_pieces(
    day: IntArray, series: IntArray, qty: IntArray, channel: str, cat: pd.DataFrame,
    dates: Sequence[date], rng: np.random.Generator, dirty: float, dirt: Counter[str],
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
    amounts = np.array([f"{q},{channel}\n" for q in range(int(qty.max(initial=0)) + 1)],
                       dtype=object)[qty]
    picked = _pick_dirty_rows(qty, series, round(dirty * len(qty)), rng)
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
    qty_text(rows, (pads[k].format(q) for k, q in zip(rng.integers(0, 3, len(rows)), qty[rows],
                                                       strict=True)))
    rows = picked["date_format"]
    # Only unambiguous variants: day-first with a day above 12, otherwise year-first.
    when[rows] = render((f"{dates[d]:%d.%m.%Y}" if dates[d].day > 12 else f"{dates[d]:%Y/%m/%d}"
                         for d in day[rows]), ",")
    rows = picked["sku_format"]
    prefix[rows] = render(_sku_variants(skus[series[rows]], rng), ",") + locs[series[rows]] + ","
    rows = picked["unknown_sku"]
    unknown = (f"SKU-99{k:03d}" for k in rng.integers(0, 1000, len(rows)))
    prefix[rows] = render(unknown, ",") + locs[series[rows]] + ","
    # The copy follows its original, as re-sent export batches do. It rides in the last
    # piece of the original's line, which spares repeating millions of clean pieces.
    rows = picked["duplicate_row"]
    amounts[rows] = amounts[rows] + prefix[rows] + when[rows] + amounts[rows]
    dirt.update({f"demand.{kind}": len(rows) for kind, rows in picked.items()})
    return prefix, when, amounts


def _pick_dirty_rows(
    qty: IntArray, series: IntArray, total: int, rng: np.random.Generator
) -> dict[str, IntArray]:
    """Disjoint sets of rows per kind of dirt, `total` rows in all, by the kinds' weights.

    Only quantities of 1000 and more can carry a thousands separator; when there are too
    few of them, the other kinds take up the rest so the dirty share stays as asked.
    Rows that must be quarantined (missing or negative quantities) come from a few bad
    feeds, about one item-location in eight, as in real extracts: spread evenly, they
    would touch every item and flag every order.
    """
    if total == 0:
        return {}
    large = np.flatnonzero(qty >= 1000)
    n_sep = min(_allocate(total, _DEMAND_DIRT)["thousands_separator"], len(large))
    want = _allocate(total - n_sep, {k: w for k, w in _DEMAND_DIRT.items()
                                     if k != "thousands_separator"})
    picked = {"thousands_separator": rng.choice(large, n_sep, replace=False)}
    free = np.ones(len(qty), dtype=bool)
    free[picked["thousands_separator"]] = False
    bad_feed = rng.random(int(series.max(initial=0)) + 1) < _BAD_FEED_SHARE
    in_bad_feed = bad_feed[series]
    for kind, count in want.items():
        pool = np.flatnonzero(free & in_bad_feed) if kind in _FEED_DIRT else np.flatnonzero(free)
        if len(pool) < count:  # too few bad-feed rows: take the rest anywhere
            pool = np.flatnonzero(free)
        chosen = np.sort(rng.choice(pool, count, replace=False))
        free[chosen] = False
        picked[kind] = chosen
    return picked


# --- stock and open orders -------------------------------------------------------------


def _stock_frame(
    cat: pd.DataFrame, recent_mean: npt.NDArray[np.float64], rng: np.random.Generator,
    as_of: date,
) -> pd.DataFrame:
    """Cover for the lead time plus up to three weeks, some stock-outs and a few backorders.

    A business that already replenishes holds about its lead-time demand; cover well
    below the lead time everywhere would put every line at stock-out risk.
    """
    n = len(cat)
    lead = cat["lead_time_days"].to_numpy(dtype=np.float64)
    on_hand = np.rint(recent_mean * (lead * rng.uniform(0.8, 1.2, n) + rng.uniform(0, 21, n)))
    on_hand = on_hand.astype(np.int64)
    selling = rng.permutation(np.flatnonzero(recent_mean > 0))
    n_zero, n_back = max(1, round(0.06 * n)), max(1, round(0.02 * n))
    on_hand[selling[:n_zero]] = 0
    backorders = selling[n_zero:n_zero + n_back]
    on_hand[backorders] = -rng.integers(1, 20, len(backorders))
    return pd.DataFrame({
        "sku": cat["sku"].to_numpy(), "location": cat["location"].to_numpy(),
        "on_hand": pd.array(on_hand, dtype="Int64"), "as_of": as_of.isoformat(),
    })


def _open_orders_frame(
    cat: pd.DataFrame, recent_mean: npt.NDArray[np.float64], rng: np.random.Generator,
    as_of: date,
) -> pd.DataFrame:
    """Open PO lines: a third of the selling item-locations, half of the brand-new ones.

    Lines for one supplier, location and due date share a PO, like a real buyer's
    order; a tenth are past due, because late suppliers are what buyers chase.
    """
    n = len(cat)
    new = (cat["profile"] == "no_demand").to_numpy()
    lines = np.flatnonzero(rng.random(n) < np.where(new, 0.5, 0.3))
    if len(lines) == 0:
        lines = np.array([0])
    pack = cat["pack_size"].to_numpy()[lines]
    cover = recent_mean[lines] * rng.uniform(7, 28, len(lines))
    need = np.maximum(cat["moq"].to_numpy()[lines], cover)
    qty = pack * np.ceil(need / pack).astype(np.int64)
    due = rng.integers(1, cat["lead_time_days"].to_numpy()[lines] + 1)
    late = rng.permutation(len(lines))[:max(1, round(0.1 * len(lines)))]
    due[late] = -rng.integers(1, 8, len(late))
    keys = np.stack([cat["supplier_idx"].to_numpy()[lines], cat["loc_idx"].to_numpy()[lines], due])
    _, po = np.unique(keys, axis=1, return_inverse=True)
    first = int(rng.integers(100, 5000))
    frame = pd.DataFrame({
        "order_ref": [f"PO-{as_of.year}-{first + k:06d}" for k in po.ravel()],
        "sku": cat["sku"].to_numpy()[lines],
        "location": cat["location"].to_numpy()[lines],
        "quantity": qty,
        "due_date": [(as_of + timedelta(days=int(d))).isoformat() for d in due],
        "supplier_id": cat["supplier_id"].to_numpy()[lines],
    })
    return frame.sort_values(["order_ref", "sku", "location"], ignore_index=True)


# --- dirt in the small tables ----------------------------------------------------------


def _dirty_items(
    frame: pd.DataFrame, rng: np.random.Generator, dirty: float, dirt: Counter[str]
) -> pd.DataFrame:
    """One row with pack size 0 and one with an unknown supplier, whatever the share."""
    if dirty == 0:
        return frame
    rows = rng.choice(len(frame), min(2, len(frame)), replace=False)
    frame.loc[rows[0], "pack_size"] = 0
    dirt["items.pack_size_zero"] = 1
    if len(rows) > 1:
        frame.loc[rows[1], "supplier_id"] = "SUP-99"
        dirt["items.unknown_supplier"] = 1
    return frame


def _dirty_stock(
    frame: pd.DataFrame, rng: np.random.Generator, dirty: float, dirt: Counter[str]
) -> pd.DataFrame:
    """A few badly keyed, empty and repeated stock rows (a fifth of the demand share)."""
    n = len(frame)
    each = min(n // 3, max(1, round(0.2 * dirty * n))) if dirty > 0 else 0
    if each == 0:
        return frame
    rows = rng.choice(n, 3 * each, replace=False)
    skus = frame["sku"].to_numpy(dtype=object)
    skus[rows[:each]] = np.array(list(_sku_variants(skus[rows[:each]], rng)), dtype=object)
    frame["sku"] = skus
    frame.loc[rows[each:2 * each], "on_hand"] = pd.NA
    repeats = np.ones(n, dtype=np.int64)
    repeats[rows[2 * each:]] = 2
    dirt.update({"stock.sku_format": each, "stock.missing_on_hand": each,
                 "stock.duplicate_row": each})
    return frame.loc[frame.index.repeat(repeats)]


# --- helpers ---------------------------------------------------------------------------


def _allocate(total: int, weights: dict[str, float]) -> dict[str, int]:
    """Split `total` by weight (largest remainder), so every kind appears once it can."""
    share = np.array(list(weights.values())) / sum(weights.values()) * total
    counts = np.floor(share).astype(np.int64)
    counts[np.argsort(-(share - counts), kind="stable")[: total - counts.sum()]] += 1
    return dict(zip(weights, (int(c) for c in counts), strict=True))


def _sku_variants(skus: ObjArray, rng: np.random.Generator) -> list[str]:
    """Lower case and stray spaces: what hand-typed and legacy systems do to keys."""
    forms = rng.integers(0, 4, len(skus))
    variants = (str.lower, lambda s: f" {s}", lambda s: f" {s.lower()} ", lambda s: f"{s} ")
    return [variants[k](s) for k, s in zip(forms, skus, strict=True)]


def _csv_field(value: str) -> str:
    """Quote like csv.QUOTE_MINIMAL does, for the pre-rendered demand lines."""
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _write_frame(path: Path, frame: pd.DataFrame) -> int:
    """Write a small table; a fixed line ending keeps the files identical on every OS."""
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
    return len(frame)


def _write_lines(path: Path, header: Sequence[str], pieces: Sequence[ObjArray]) -> None:
    """Write pre-rendered line pieces in large blocks.

    Joining strings is several times faster than a csv writer, and one write per block
    avoids the per-line cost of `writelines`; blocks bound the memory of the text.
    """
    n, block = len(pieces[0]), 500_000
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(",".join(header) + "\n")
        for start in range(0, n, block):
            parts = (p[start:start + block] for p in pieces)
            out.write("".join(map("".join, zip(*parts, strict=True))))
