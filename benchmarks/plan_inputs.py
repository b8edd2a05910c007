"""Synthetic planning inputs for a large catalogue: the plan benchmark's data.

Shaped like a wholesale catalogue and shaped like the validated tables and the forecast
summary of docs/frames.md, so `purchasing` takes them as they come from the real stages:
a few pack sizes, MOQs on a third of items, caps on a tenth, a few missing stock rows
and backorders, open orders on a third of the item-locations (some past due, some far
out), 2% of items touched by a quarantined input row.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

AS_OF = pd.Timestamp("2026-11-25")
N_LOCATIONS, N_SUPPLIERS = 10, 300
SEED = 5
CLASSES = ("smooth", "erratic", "intermittent", "lumpy", "new", "dormant")
CLASS_SHARES = (0.30, 0.10, 0.30, 0.15, 0.10, 0.05)

FloatArray = npt.NDArray[np.float64]


def synthetic_frames(n: int, seed: int = SEED) -> dict[str, pd.DataFrame]:
    """items, suppliers, forecast, stock, open_orders, quarantined_items for `n` rows."""
    rng = np.random.default_rng(seed)
    items = _items(n, rng)
    suppliers = _suppliers(rng)
    # demand per day drives both the forecast and the stock a replenishing business holds
    daily = rng.lognormal(np.log(2.0), 1.2, n)
    return {
        "items": items,
        "suppliers": suppliers,
        "forecast": _forecast(items, daily, rng),
        "stock": _stock(items, daily, rng),
        "open_orders": _open_orders(items, rng),
        "quarantined_items": _quarantined(items, rng),
    }


def _items(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Three locations per sku out of ten; terms drawn per item-location."""
    index = np.arange(n)
    sku_index = index // 3
    location_index = (index % 3 + sku_index) % N_LOCATIONS
    sku = np.array([f"SKU-{i:06d}" for i in range(sku_index.max() + 1)], dtype=object)
    location = np.array([f"LOC-{i:02d}" for i in range(N_LOCATIONS)], dtype=object)
    pack = rng.choice([1, 1, 6, 10, 12, 24, 50], n)
    moq = (pack * rng.choice([0, 0, 1, 2, 4], n)).astype(float)
    lead = rng.integers(2, 31, n).astype(float)
    review = np.where(rng.random(n) < 0.5, np.nan, rng.choice([7.0, 14.0], n))
    service = np.where(rng.random(n) < 0.3, np.nan, rng.choice([0.9, 0.95, 0.98], n))
    cap = np.where(rng.random(n) < 0.1, np.maximum(moq, pack) * rng.choice([5, 20, 50], n), np.nan)
    return pd.DataFrame(
        {
            "sku": sku[sku_index],
            "location": location[location_index],
            "supplier_id": _supplier_ids()[rng.integers(0, N_SUPPLIERS, n)],
            "unit_cost": np.clip(rng.lognormal(np.log(8.0), 1.1, n), 0.05, 3000.0).round(2),
            "pack_size": pack.astype(np.int64),
            "moq": moq,
            "lead_time_days": lead,
            "lead_time_std_days": (lead * rng.uniform(0, 0.3, n)).round(1),
            "service_level": service,
            "review_period_days": review,
            "max_order_qty": cap,
            "category": rng.choice(["Fasteners", "Electrical", "Tools", "Safety"], n),
            "description": "Benchmark item",
            "active": rng.random(n) >= 0.02,
        }
    )


def _supplier_ids() -> npt.NDArray[np.object_]:
    return np.array([f"SUP-{i:03d}" for i in range(1, N_SUPPLIERS + 1)], dtype=object)


def _suppliers(rng: np.random.Generator) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "supplier_id": _supplier_ids(),
            "name": [f"Supplier {i}" for i in range(1, N_SUPPLIERS + 1)],
            "email": "",
            "min_order_value": rng.choice([0.0, 100.0, 250.0, 500.0], N_SUPPLIERS),
            # most take orders any day; the others on two or three weekdays
            "order_days": rng.choice(
                ["", "", "", "Mon;Thu", "Tue;Fri", "Mon;Wed;Fri"], N_SUPPLIERS
            ),
            "currency": np.where(rng.random(N_SUPPLIERS) < 0.2, "USD", "EUR"),
            "lead_time_days": np.nan,
        }
    )


def _forecast(items: pd.DataFrame, daily: FloatArray, rng: np.random.Generator) -> pd.DataFrame:
    """A forecast summary per active item: mean, spread and quantile over the protection."""
    active = items.loc[items["active"]].reset_index(drop=True)
    m = len(active)
    demand_class = rng.choice(CLASSES, m, p=CLASS_SHARES)
    per_day = daily[items["active"].to_numpy()]
    protection = (active["lead_time_days"] + active["review_period_days"].fillna(7.0)).to_numpy()
    mean = per_day * protection
    std = np.sqrt(protection) * per_day * rng.uniform(0.5, 2.0, m)
    continuous = np.isin(demand_class, ["smooth", "erratic"])
    return pd.DataFrame(
        {
            "sku": active["sku"],
            "location": active["location"],
            "demand_class": demand_class,
            "model": np.where(continuous, "AutoETS(ANA,7)", "CrostonSBA"),
            "fallback": None,
            "history_periods": np.where(demand_class == "new", rng.integers(0, 56, m), 730),
            "mean_per_period": per_day,
            "protection_periods": protection,
            "demand_mean": mean,
            "demand_std": std,
            "service_level": active["service_level"].fillna(0.95).to_numpy(),
            "demand_quantile": np.ceil(mean + 1.645 * std),
            "fit_rmse": per_day,
        }
    )


def _stock(items: pd.DataFrame, daily: FloatArray, rng: np.random.Generator) -> pd.DataFrame:
    """About the lead-time demand plus up to two weeks, some stock-outs and backorders;
    3% of item-locations have no stock row at all."""
    n = len(items)
    has_stock = rng.random(n) >= 0.03
    lead = items["lead_time_days"].to_numpy()
    on_hand = np.rint(daily * (lead * rng.uniform(0.8, 1.3, n) + rng.uniform(0, 14, n)))
    on_hand[rng.random(n) < 0.05] = 0.0
    backorder = rng.random(n) < 0.02
    on_hand[backorder] = -rng.integers(1, 30, int(backorder.sum()))
    stock = items[["sku", "location"]].assign(on_hand=on_hand, as_of=AS_OF)
    return stock.loc[has_stock].reset_index(drop=True)


def _open_orders(items: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One or two open lines on a third of the item-locations, due from a week ago
    to 45 days out, 1% far beyond any horizon."""
    with_orders = np.flatnonzero(rng.random(len(items)) < 0.33)
    rows = np.repeat(with_orders, rng.choice([1, 1, 1, 2], len(with_orders)))
    due = rng.integers(-7, 45, len(rows))
    due[rng.random(len(rows)) < 0.01] = 10_000
    pack = items["pack_size"].to_numpy()[rows]
    return pd.DataFrame(
        {
            "order_ref": [f"PO-{i:07d}" for i in range(len(rows))],
            "sku": items["sku"].to_numpy()[rows],
            "location": items["location"].to_numpy()[rows],
            "quantity": (pack * rng.integers(1, 20, len(rows))).astype(float),
            "due_date": AS_OF + pd.to_timedelta(due, unit="D"),
            "supplier_id": items["supplier_id"].to_numpy()[rows],
        }
    )


def _quarantined(items: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """What validation would report: 2% of item-locations, a tenth without location."""
    tainted = np.flatnonzero(rng.random(len(items)) < 0.02)
    reasons = rng.choice(["UNKNOWN_SKU", "MISSING_FIELD", "BAD_NUMBER;FUTURE_DATE"], len(tainted))
    no_location = rng.random(len(tainted)) < 0.1
    location = items["location"].to_numpy()[tainted]
    return pd.DataFrame(
        {
            "sku": items["sku"].to_numpy()[tainted],
            "location": np.where(no_location, "", location),
            "reasons": reasons,
        }
    ).astype(object)


def aligned_arrays(frames: dict[str, pd.DataFrame]) -> dict[str, FloatArray]:
    """Per active item-location, in plan order: what the bare computation starts from.

    Built with pandas here, outside the measurement: the bare side is given the joins
    for free, which is exactly the point (it shows what ours pays for them).
    """
    items = frames["items"].loc[frames["items"]["active"]].reset_index(drop=True)
    keys = ["sku", "location"]
    target = items[keys].merge(frames["forecast"], on=keys, how="left")["demand_quantile"]
    on_hand = items[keys].merge(frames["stock"], on=keys, how="left")["on_hand"].fillna(0.0)
    horizon = items["lead_time_days"] + items["review_period_days"].fillna(7.0)
    orders = frames["open_orders"].merge(
        items[keys].assign(_row=np.arange(len(items)), _horizon=horizon.to_numpy()), on=keys
    )
    due_in = (orders["due_date"] - AS_OF).dt.days
    within = orders.loc[due_in <= orders["_horizon"]]
    on_order = np.bincount(within["_row"], weights=within["quantity"], minlength=len(items))
    return {
        "target": target.to_numpy(dtype=float),
        "on_hand": on_hand.to_numpy(dtype=float),
        "on_order": on_order.astype(float),
        "pack": items["pack_size"].to_numpy(dtype=float),
        "moq": items["moq"].to_numpy(dtype=float),
        "cap": items["max_order_qty"].to_numpy(dtype=float),
    }
