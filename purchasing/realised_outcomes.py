"""How the shelf did after go-live, from the stock and demand of later extracts.

Per item-location and night: a stock-out day is a day with demand while the night's
stock on hand was zero or less (demand with no stock). The realised fill rate is the
share of demand that fell on days with stock. Days of supply is the latest stock over
the average daily demand of the last 28 known days. Stock above target is the value of
the latest stock beyond the order-up-to target of the item-location's latest line.
Pure and vectorised; a figure that cannot be known yet is NaN, never zero.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

KEYS = ["sku", "location"]
DAYS_OF_SUPPLY_WINDOW = 28
OUTCOME_COLUMNS = [
    "sku", "location", "night", "on_hand", "demand", "observed", "stockout_day",
    "unserved",
]  # fmt: skip


def nightly_outcomes(
    stock: pd.DataFrame, demand: pd.DataFrame, known_until: pd.Timestamp | None
) -> pd.DataFrame:
    """One row per item-location and night with stock (`stock`: sku, location, night,
    on_hand), its demand that day and whether that day is known yet (`observed`)."""
    if stock.empty:
        return pd.DataFrame(columns=OUTCOME_COLUMNS)
    daily = demand.assign(night=pd.to_datetime(demand["date"]))
    daily = daily.groupby([*KEYS, "night"], as_index=False)["quantity"].sum()
    frame = stock.assign(night=pd.to_datetime(stock["night"])).merge(
        daily, on=[*KEYS, "night"], how="left"
    )
    frame["demand"] = frame["quantity"].fillna(0.0).astype(float)
    frame["observed"] = frame["night"] <= known_until if known_until is not None else False
    out_of_stock = frame["on_hand"].astype(float) <= 0
    frame["stockout_day"] = frame["observed"] & out_of_stock & (frame["demand"] > 0)
    frame["unserved"] = np.where(frame["stockout_day"], frame["demand"], 0.0)
    return frame[OUTCOME_COLUMNS]


def latest_cover(
    stock: pd.DataFrame,
    demand: pd.DataFrame,
    targets: pd.DataFrame,
    known_until: pd.Timestamp | None,
) -> pd.DataFrame:
    """Per item-location: latest on_hand, mean daily demand of the last 28 known days,
    and the stock beyond the target (`targets`: sku, location, target, unit_cost), with
    the night of that stock."""
    if stock.empty:
        return pd.DataFrame(
            columns=[*KEYS, "night", "on_hand", "daily_demand", "above_target_value"]
        )
    latest = stock.sort_values("night").drop_duplicates(KEYS, keep="last")[
        [*KEYS, "night", "on_hand"]
    ]
    if known_until is None:
        daily = pd.Series(np.nan, index=latest.index)
    else:
        start = known_until - pd.Timedelta(days=DAYS_OF_SUPPLY_WINDOW - 1)
        when = pd.to_datetime(demand["date"])
        recent = demand[(when >= start) & (when <= known_until)]
        sums = recent.groupby(KEYS)["quantity"].sum() / DAYS_OF_SUPPLY_WINDOW
        daily = latest.join(sums.rename("d"), on=KEYS)["d"].fillna(0.0)
    latest = latest.assign(daily_demand=daily.to_numpy())
    latest = latest.merge(targets, on=KEYS, how="left")
    beyond = (latest["on_hand"].astype(float) - latest["target"].astype(float)).clip(lower=0.0)
    latest["above_target_value"] = beyond * latest["unit_cost"].astype(float)
    return latest[[*KEYS, "night", "on_hand", "daily_demand", "above_target_value"]]
