"""Which service measure each line's target states, and the stock level that meets it.

The forecast hands over the quantile of protection-interval demand at the item's service
level: the level for a cycle service level. A line whose measure is a fill rate gets the
lowest level whose expected shortage per cycle keeps the share of demand served at the
target instead (`purchasing.service_measure`), from the same mean, spread and
distribution family the forecast used.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.uncertainty import COUNT_CLASSES
from purchasing.params import PolicyParams
from purchasing.policies import policy_table
from purchasing.service_measure import CYCLE_SERVICE_LEVEL, FILL_RATE, fill_rate_target


def service_measures(lines: pd.DataFrame, params: PolicyParams) -> np.ndarray:
    """Per line: the sku's policy measure, else its category's, else by demand class."""
    configured = policy_table(lines, params)["service_measure"].to_numpy(dtype=object)
    demand_class = lines.get("demand_class", pd.Series("", index=lines.index))
    by_class = np.where(
        demand_class.isin(params.fill_rate_classes).to_numpy(), FILL_RATE, CYCLE_SERVICE_LEVEL
    )
    return np.where(pd.isna(configured), by_class, configured).astype(object)


def service_targets(lines: pd.DataFrame, params: PolicyParams) -> tuple[np.ndarray, np.ndarray]:
    """(measure, level) per line; the level is the forecast's quantile unless the measure
    is a fill rate and the forecast gave the spread to compute one from."""
    measure = service_measures(lines, params)
    level = lines["demand_quantile"].to_numpy(dtype=float).copy()
    if "demand_std" not in lines:
        return measure, level
    rows = np.flatnonzero((measure == FILL_RATE) & lines["demand_mean"].notna().to_numpy())
    if rows.size:
        part = lines.iloc[rows]
        classes = part.get("demand_class", pd.Series("", index=part.index))
        lead = part["lead_time_days"].to_numpy(dtype=float)
        review = part["review_period_days"].to_numpy(dtype=float)
        level[rows] = fill_rate_target(
            part["demand_mean"].to_numpy(dtype=float),
            part["demand_std"].fillna(0.0).to_numpy(dtype=float),
            review / (lead + review),
            part["service_level"].to_numpy(dtype=float),
            classes.isin(COUNT_CLASSES).to_numpy(),
            params.fill_rate_quantile_cap,
            lost_sales=params.unmet_demand == "lost",
        )
    return measure, level
