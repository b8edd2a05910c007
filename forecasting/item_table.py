"""The item table: one row per active item-location being forecast, with what it needs.

Everything downstream works on rows of this table: policy times in periods, the series
code that finds an item's history, and the demand class that picks its forecast.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.classify import NEW, classify
from forecasting.params import ForecastParams
from forecasting.prepare import PreparedDemand


def item_table(items: pd.DataFrame, params: ForecastParams) -> pd.DataFrame:
    """Active item-locations with policy defaults filled and times in periods.

    A missing or negative number takes the policy default (no lead time, no lead-time
    spread): validation reports such rows; the forecast must still give every item one.
    """

    def column(name: str, default: object) -> pd.Series:
        if name in items.columns:
            return items[name]
        return pd.Series(default, index=items.index)

    active = column("active", True).fillna(True).astype(bool).to_numpy()
    table = pd.DataFrame(
        {
            "sku": items["sku"].to_numpy()[active],
            "location": items["location"].to_numpy()[active],
            "category": column("category", "").fillna("").to_numpy()[active],
        }
    )
    days = params.days_per_period

    def number(name: str, default: float) -> np.ndarray:
        values = pd.to_numeric(column(name, default), errors="coerce").to_numpy(dtype=float)
        values = values[active]
        return np.where(np.isfinite(values) & (values >= 0), values, default)

    lead_time = number("lead_time_days", 0.0)
    review = number("review_period_days", params.default_review_period_days)
    table["protection_periods"] = (lead_time + review) / days
    table["lead_time_std_periods"] = number("lead_time_std_days", 0.0) / days
    # 0 and 1 are kept (the quantile clips them just inside); above 1 is not a level.
    service = number("service_level", params.default_service_level)
    table["service_level"] = np.where(service <= 1, service, params.default_service_level)
    # Duplicates are validation's to report; here one row per item-location must come out.
    return table.drop_duplicates(["sku", "location"], keep="first").reset_index(drop=True)


def demand_of(demand: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Only the demand of items being forecast: inactive items cost no model time."""
    wanted = pd.MultiIndex.from_frame(table[["sku", "location"]])
    mask = pd.MultiIndex.from_arrays([demand["sku"], demand["location"]]).isin(wanted)
    # the usual night sells only active items: no copy of the whole history then
    return demand if mask.all() else demand.loc[mask]


def with_history(
    table: pd.DataFrame, prepared: PreparedDemand, params: ForecastParams
) -> pd.DataFrame:
    """Attach each item's series code and demand class; items never sold are new."""
    pairs = pd.MultiIndex.from_frame(prepared.ids[["sku", "location"]])
    code = pairs.get_indexer(pd.MultiIndex.from_frame(table[["sku", "location"]]))
    classes = classify(prepared.series, params)
    row = pd.Index(classes["unique_id"].astype(str)).get_indexer(
        prepared.ids["unique_id"].to_numpy()
    )
    by_code = classes.iloc[row].reset_index(drop=True)
    found = code >= 0
    table = table.assign(series_code=code)
    for name in ["history_periods", "history_mean", "history_std"]:
        values = np.zeros(len(table))
        values[found] = by_code[name].to_numpy()[code[found]]
        table[name] = values
    table["history_periods"] = table["history_periods"].astype(np.int64)
    demand_classes = np.full(len(table), NEW, dtype=object)
    demand_classes[found] = by_code["demand_class"].to_numpy()[code[found]]
    table["demand_class"] = demand_classes
    return table
