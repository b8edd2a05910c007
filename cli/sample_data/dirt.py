"""The dirt laid over the clean sample: which rows get it and of what kind.

The data-quality gate must meet the same kinds of dirt the six source systems produce,
in realistic places: quarantined rows come from a few bad feeds, not from everywhere.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from cli.sample_data.arrays import IntArray, ObjArray

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


def pick_dirty_rows(
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
    want = _allocate(
        total - n_sep, {k: w for k, w in _DEMAND_DIRT.items() if k != "thousands_separator"}
    )
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


def dirty_items(
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


def dirty_stock(
    frame: pd.DataFrame, rng: np.random.Generator, dirty: float, dirt: Counter[str]
) -> pd.DataFrame:
    """A few badly keyed, empty and repeated stock rows (a fifth of the demand share)."""
    n = len(frame)
    each = min(n // 3, max(1, round(0.2 * dirty * n))) if dirty > 0 else 0
    if each == 0:
        return frame
    rows = rng.choice(n, 3 * each, replace=False)
    skus = frame["sku"].to_numpy(dtype=object)
    skus[rows[:each]] = np.array(list(sku_variants(skus[rows[:each]], rng)), dtype=object)
    frame["sku"] = skus
    frame.loc[rows[each : 2 * each], "on_hand"] = pd.NA
    repeats = np.ones(n, dtype=np.int64)
    repeats[rows[2 * each :]] = 2
    dirt.update(
        {"stock.sku_format": each, "stock.missing_on_hand": each, "stock.duplicate_row": each}
    )
    return frame.loc[frame.index.repeat(repeats)]


def _allocate(total: int, weights: dict[str, float]) -> dict[str, int]:
    """Split `total` by weight (largest remainder), so every kind appears once it can."""
    share = np.array(list(weights.values())) / sum(weights.values()) * total
    counts = np.floor(share).astype(np.int64)
    counts[np.argsort(-(share - counts), kind="stable")[: total - counts.sum()]] += 1
    return dict(zip(weights, (int(c) for c in counts), strict=True))


def sku_variants(skus: ObjArray, rng: np.random.Generator) -> list[str]:
    """Lower case and stray spaces: what hand-typed and legacy systems do to keys."""
    forms = rng.integers(0, 4, len(skus))
    variants = (str.lower, lambda s: f" {s}", lambda s: f" {s.lower()} ", lambda s: f"{s} ")
    return [variants[k](s) for k, s in zip(forms, skus, strict=True)]
