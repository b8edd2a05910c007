"""Stock on hand and open purchase orders, sized from each item's recent demand."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import numpy.typing as npt
import pandas as pd


def stock_frame(
    cat: pd.DataFrame,
    recent_mean: npt.NDArray[np.float64],
    rng: np.random.Generator,
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
    backorders = selling[n_zero : n_zero + n_back]
    on_hand[backorders] = -rng.integers(1, 20, len(backorders))
    return pd.DataFrame(
        {
            "sku": cat["sku"].to_numpy(),
            "location": cat["location"].to_numpy(),
            "on_hand": pd.array(on_hand, dtype="Int64"),
            "as_of": as_of.isoformat(),
        }
    )


def open_orders_frame(
    cat: pd.DataFrame,
    recent_mean: npt.NDArray[np.float64],
    rng: np.random.Generator,
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
    late = rng.permutation(len(lines))[: max(1, round(0.1 * len(lines)))]
    due[late] = -rng.integers(1, 8, len(late))
    keys = np.stack([cat["supplier_idx"].to_numpy()[lines], cat["loc_idx"].to_numpy()[lines], due])
    _, po = np.unique(keys, axis=1, return_inverse=True)
    first = int(rng.integers(100, 5000))
    frame = pd.DataFrame(
        {
            "order_ref": [f"PO-{as_of.year}-{first + k:06d}" for k in po.ravel()],
            "sku": cat["sku"].to_numpy()[lines],
            "location": cat["location"].to_numpy()[lines],
            "quantity": qty,
            "due_date": [(as_of + timedelta(days=int(d))).isoformat() for d in due],
            "supplier_id": cat["supplier_id"].to_numpy()[lines],
        }
    )
    return frame.sort_values(["order_ref", "sku", "location"], ignore_index=True)
