"""Inventory position per item-location: what we have plus what is coming, less what we owe.

position = max(on_hand, 0) + on order due within the horizon - backorders, where a
negative on_hand is read as backorders (units already promised to customers).

On order includes the product's own orders (proposed, waiting, approved, submitted) that
the extract's open orders do not show yet: the ERP's export lags, and an order we placed
last night, or an hour ago in a run we are now repeating, must not be bought again.
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
    "own_on_order",
    "position",
]
# Our own order lines, as `storage.own_orders` hands them over.
OWN_ORDER_COLUMNS = [
    "po_key", "external_ref", "sku", "location", "supplier_id", "quantity",
    "expected_delivery", "waiting",
]  # fmt: skip


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
    own_orders: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Position columns for each row of `item_locations`, aligned on its index.

    `horizon_days` and `lead_time_days` are per row (aligned with `item_locations`).
    Open orders due after the horizon are ignored; past-due ones still count (the goods
    are most likely late, not lost) but are reported in `past_due_qty` so a buyer can
    chase them. `arriving_within_lead_time` is what lands before an order placed today
    would, for the stock-out check. `own_orders` (OWN_ORDER_COLUMNS) adds the product's own
    orders the extract does not show yet (`unshown_own_orders`); `own_on_order` says how
    much of on order they are.
    """
    require_unique(stock, KEYS, "stock")
    own = None if own_orders is None else unshown_own_orders(own_orders, open_orders, as_of=as_of)
    if own is not None and len(own):
        extract = open_orders[[*KEYS, "quantity", "due_date"]].assign(_own=False)
        parts = [extract, own] if len(extract) else [own]
        open_orders = pd.concat(parts, ignore_index=True)
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
        {
            "on_order": 0.0,
            "past_due_qty": 0.0,
            "arriving_within_lead_time": 0.0,
            "own_on_order": 0.0,
        }
    )
    out["position"] = out["on_hand"] + out["on_order"] - out["backorders"]
    return out[POSITION_COLUMNS]


def _open_order_sums(
    keys: pd.DataFrame, open_orders: pd.DataFrame, *, as_of: pd.Timestamp
) -> pd.DataFrame:
    """Sum open-order quantities per item-location row: within horizon, past due, in lead."""
    columns = ["on_order", "past_due_qty", "arriving_within_lead_time", "own_on_order"]
    if open_orders.empty:
        return pd.DataFrame(columns=columns, dtype=float)
    own_column = "_own" if "_own" in open_orders.columns else None
    taken = [*KEYS, "quantity", "due_date", *([own_column] if own_column else [])]
    joined = open_orders[taken].merge(keys, on=KEYS, how="inner")
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
            "own_on_order": qty * within * (joined[own_column].to_numpy(bool) if own_column else 0),
        }
    )
    return sums.groupby("_row")[columns].sum()


def unshown_own_orders(
    own_orders: pd.DataFrame, open_orders: pd.DataFrame, *, as_of: pd.Timestamp
) -> pd.DataFrame:
    """Own order lines to count as on order: sku, location, quantity, due_date, _own.

    An own order counts until the extract shows it (an open-order reference equal to its
    key or to the ERP's reference for it, compared without case): from then on the ERP's
    line is the truth (it knows partial receipts). One that was sent and whose delivery
    date has passed without the extract showing it is taken as received (its goods are
    in the stock count); one still waiting for a buyer always counts, since approving it
    will order it.
    """
    refs = set(open_orders["order_ref"].astype(str).str.strip().str.upper())
    key = own_orders["po_key"].astype(str).str.upper()
    external = own_orders["external_ref"].fillna("").astype(str).str.strip().str.upper()
    shown = key.isin(refs) | (external.isin(refs) & (external != ""))
    due = pd.to_datetime(own_orders["expected_delivery"])
    current = own_orders["waiting"].astype(bool) | (due >= as_of)
    counted = own_orders.loc[(~shown & current).to_numpy()]
    return pd.DataFrame(
        {
            "sku": counted["sku"].astype(object).to_numpy(),
            "location": counted["location"].astype(object).to_numpy(),
            "quantity": counted["quantity"].astype(float).to_numpy(),
            # undated would count as arriving at once; a waiting order past its date arrives
            # no sooner than today
            "due_date": due.loc[counted.index].clip(lower=as_of).to_numpy(),
            "_own": True,
        }
    )
