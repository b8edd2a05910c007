"""Inventory position per item-location: what we have plus what is coming, less what we owe.

position = max(on_hand, 0) + on order due within the horizon - backorders, where a
negative on_hand is read as backorders (units already promised to customers).
"""

from __future__ import annotations

import pandas as pd

KEYS = ["sku", "location"]

POSITION_COLUMNS = [
    "on_hand",
    "backorders",
    "stock_missing",
    "on_order",
    "past_due_qty",
    "arriving_within_lead_time",
    "position",
]


def require_unique(frame: pd.DataFrame, keys: list[str], name: str) -> None:
    """Refuse duplicate keys: a silent merge would double stock or lines and mis-order.

    Validation removes duplicates before this stage, so a duplicate here is a broken
    contract, and stopping is cheaper than buying twice.
    """
    duplicated = frame.duplicated(keys, keep=False)
    if duplicated.any():
        sample = frame.loc[duplicated, keys].drop_duplicates().head(5).to_dict("records")
        raise ValueError(f"{name}: {int(duplicated.sum())} rows share a key {keys}: {sample}")


def inventory_position(
    item_locations: pd.DataFrame,
    stock: pd.DataFrame,
    open_orders: pd.DataFrame,
    *,
    as_of: pd.Timestamp,
    horizon_days: pd.Series,
    lead_time_days: pd.Series,
) -> pd.DataFrame:
    """Position columns for each row of `item_locations`, aligned on its index.

    `horizon_days` and `lead_time_days` are per row (aligned with `item_locations`).
    Open orders due after the horizon are ignored; past-due ones still count (the goods
    are most likely late, not lost) but are reported in `past_due_qty` so a buyer can
    chase them. `arriving_within_lead_time` is what lands before an order placed today
    would, for the stock-out check.
    """
    require_unique(stock, KEYS, "stock")
    keys = item_locations[KEYS].assign(
        _row=item_locations.index,
        _horizon=horizon_days.to_numpy(dtype=float),
        _lead=lead_time_days.to_numpy(dtype=float),
    )
    with_stock = keys.merge(stock[[*KEYS, "on_hand"]], on=KEYS, how="left")
    stock_missing = with_stock["on_hand"].isna().to_numpy()
    # No stock row = nothing on the shelf: assuming stock we cannot see would under-order.
    on_hand_raw = with_stock["on_hand"].astype(float).fillna(0.0).to_numpy()

    arrivals = _open_order_sums(keys, open_orders, as_of=as_of)
    out = pd.DataFrame(
        {
            "on_hand": on_hand_raw.clip(min=0.0),
            "backorders": (-on_hand_raw).clip(min=0.0),
            "stock_missing": stock_missing,
        },
        index=item_locations.index,
    )
    out = out.join(arrivals).fillna(
        {"on_order": 0.0, "past_due_qty": 0.0, "arriving_within_lead_time": 0.0}
    )
    out["position"] = out["on_hand"] + out["on_order"] - out["backorders"]
    return out[POSITION_COLUMNS]


def _open_order_sums(
    keys: pd.DataFrame, open_orders: pd.DataFrame, *, as_of: pd.Timestamp
) -> pd.DataFrame:
    """Sum open-order quantities per item-location row: within horizon, past due, in lead."""
    columns = ["on_order", "past_due_qty", "arriving_within_lead_time"]
    if open_orders.empty:
        return pd.DataFrame(columns=columns, dtype=float)
    joined = open_orders[[*KEYS, "quantity", "due_date"]].merge(keys, on=KEYS, how="inner")
    due_in_days = (pd.to_datetime(joined["due_date"]) - as_of).dt.days.to_numpy(dtype=float)
    qty = joined["quantity"].to_numpy(dtype=float)
    # An order without a due date was still promised by the supplier: count it as arriving
    # rather than buy the same goods a second time.
    undated = pd.isna(due_in_days)
    within = undated | (due_in_days <= joined["_horizon"].to_numpy())
    in_lead = undated | (due_in_days <= joined["_lead"].to_numpy())
    past_due = ~undated & (due_in_days < 0)
    sums = pd.DataFrame(
        {
            "_row": joined["_row"].to_numpy(),
            "on_order": qty * within,
            "past_due_qty": qty * past_due,
            "arriving_within_lead_time": qty * in_lead,
        }
    )
    return sums.groupby("_row")[columns].sum()
