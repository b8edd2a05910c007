"""The sample catalogue: suppliers, items and the locations that stock them.

One row per item-location carries every attribute the files and the demand need,
including the demand profile it will be drawn from (which no file shows).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

LOCATIONS = ("DC-NORTH", "DC-SOUTH", "STORE-01")
PROFILES = ("smooth", "seasonal", "intermittent", "lumpy", "new", "no_demand")
# Shares of item-locations per profile; every profile gets at least one series so a
# small sample still exercises every forecasting path.
_PROFILE_SHARES = (0.29, 0.20, 0.25, 0.15, 0.09, 0.02)

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
_NOUNS = np.array(
    [
        ["Hex bolt", "Wood screw", "Wall plug", "Washer", "Hex nut", "Threaded rod"],
        ["Cable tie", "Junction box", "LED bulb", "Extension lead", "Fuse", "Wire connector"],
        ["Claw hammer", "Screwdriver set", "Spirit level", "Utility knife", "Hacksaw", "Pliers"],
        ["Safety glasses", "Work gloves", "Ear defenders", "Hi-vis vest", "Dust mask", "Hard hat"],
        ["Microfibre cloth", "Floor cleaner", "Mop head", "Bin bags", "Hand soap", "Degreaser"],
    ],
    dtype=object,
)
_VARIANTS = np.array(
    [
        ["M6", "M8", "M10", "4x40", "5x60", "6x80"],
        ["200 mm", "IP55", "E27 9W", "10 m", "13 A", "3-way"],
        ["small", "medium", "large", "pro", "200 mm", "300 mm"],
        ["size M", "size L", "size XL", "EN 166", "FFP2", "class 2"],
        ["1 L", "5 L", "10 pack", "50 pack", "refill", "heavy duty"],
    ],
    dtype=object,
)


def build_catalogue(items: int, rng: np.random.Generator) -> pd.DataFrame:
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
    description = (
        _NOUNS[category, rng.integers(0, 6, items)]
        + " "
        + _VARIANTS[category, rng.integers(0, 6, items)]
    )

    # Each item is stocked at 1-3 locations, chosen at random.
    n_locations = rng.choice([1, 2, 3], items, p=[0.3, 0.4, 0.3])
    rank = np.argsort(np.argsort(rng.random((items, len(LOCATIONS))), axis=1), axis=1)
    item, loc = np.nonzero(rank < n_locations[:, None])
    rows = len(item)

    lead_base = np.array([s[5] for s in _SUPPLIERS])[supplier[item]]
    lead = np.clip(np.rint(lead_base + item_lead[item] + (loc == 2)), 2, 30).astype(np.int64)
    lead_std = np.where(rng.random(rows) < 0.2, 0.0, lead * rng.uniform(0.05, 0.3, rows)).round(1)
    max_qty = np.where(rng.random(rows) < 0.1, moq[item] * rng.choice([10, 20, 50], rows), -1)
    counts = np.maximum(1, np.floor(np.array(_PROFILE_SHARES) * rows)).astype(np.int64)
    counts[0] = max(0, rows - counts[1:].sum())  # smooth takes the rounding remainder
    profile = rng.permutation(np.repeat(np.arange(len(PROFILES)), counts))[:rows]

    skus = np.array([f"SKU-{i:05d}" for i in range(1, items + 1)], dtype=object)
    return pd.DataFrame(
        {
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
        }
    )


def suppliers_frame() -> pd.DataFrame:
    """The five suppliers; fixed, because buyers recognise names faster than random ones."""
    frame = pd.DataFrame(
        _SUPPLIERS,
        columns=["supplier_id", "name", "email", "min_order_value", "order_days", "lead_time_days"],
    )
    frame.insert(5, "currency", "EUR")
    return frame


def items_frame(cat: pd.DataFrame) -> pd.DataFrame:
    """items.csv columns: required first, then the optional ones the sample fills."""
    frame = cat[
        [
            "sku",
            "location",
            "supplier_id",
            "unit_cost",
            "pack_size",
            "moq",
            "lead_time_days",
            "lead_time_std_days",
            "service_level",
        ]
    ].copy()
    frame["review_period_days"] = 7
    frame["max_order_qty"] = cat["max_order_qty"]
    frame["category"] = cat["category"]
    frame["description"] = cat["description"]
    frame["active"] = "true"
    return frame
