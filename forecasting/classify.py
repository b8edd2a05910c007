"""Demand pattern of each series: it decides which models may forecast it and which
distribution its safety stock is read from."""

from __future__ import annotations

from typing import Final, Literal

import numpy as np
import pandas as pd

from forecasting.params import ForecastParams

DemandClass = Literal["smooth", "erratic", "intermittent", "lumpy", "new", "dormant"]
SMOOTH: Final = "smooth"
ERRATIC: Final = "erratic"
INTERMITTENT: Final = "intermittent"
LUMPY: Final = "lumpy"
NEW: Final = "new"
DORMANT: Final = "dormant"

# Syntetos, Boylan & Croston (2005): the cut-offs at which Croston-type methods start
# to beat exponential smoothing (ADI) and at which SBA beats plain Croston (CV²).
ADI_CUTOFF: Final = 1.32
CV2_CUTOFF: Final = 0.49

CLASS_COLUMNS = [
    "unique_id",
    "history_periods",
    "demand_periods",
    "periods_since_demand",
    "adi",
    "cv2",
    "history_mean",
    "history_std",
    "demand_class",
]


def classify(series: pd.DataFrame, params: ForecastParams) -> pd.DataFrame:
    """One row per `unique_id` of a long frame (`unique_id`, `ds`, `y`).

    History counts from a series' first period with demand, so leading zeros (a
    listing before the first sale) neither make an item look intermittent nor old.
    ADI is history periods per demand period (it includes the zeros since the last
    sale); CV² is the squared coefficient of variation of the non-zero sizes. A series
    is `new` before `dormant` is looked at: a short history cannot show a long silence.
    """
    uid = series["unique_id"]
    ds = series["ds"]
    y = pd.Series(
        np.nan_to_num(series["y"].to_numpy(dtype=np.float64), nan=0.0), index=series.index
    )
    has_demand = y > 0
    by_series = ds.where(has_demand).groupby(uid, observed=True, sort=False)
    first_demand = by_series.transform("min")
    last_demand = by_series.transform("max")
    in_history = ds >= first_demand
    since_last = ds > last_demand

    sizes = y.where(has_demand)
    history_y = y.where(in_history)
    frame = pd.DataFrame(
        {
            "in_history": in_history,
            "has_demand": has_demand,
            "since_last": since_last,
            "sizes": sizes,
            "history_y": history_y,
        }
    )
    grouped = frame.groupby(uid, observed=True, sort=True)
    stats = pd.DataFrame(
        {
            "history_periods": grouped["in_history"].sum().astype(np.int64),
            "demand_periods": grouped["has_demand"].sum().astype(np.int64),
            "periods_since_demand": grouped["since_last"].sum().astype(np.int64),
            "size_mean": grouped["sizes"].mean(),
            "size_std": grouped["sizes"].std(ddof=0),
            "history_mean": grouped["history_y"].mean(),
            "history_std": grouped["history_y"].std(ddof=0),
        }
    )
    stats.index.name = "unique_id"
    with np.errstate(divide="ignore", invalid="ignore"):
        stats["adi"] = stats["history_periods"] / stats["demand_periods"]
        stats["cv2"] = (stats["size_std"] / stats["size_mean"]) ** 2
    stats["demand_class"] = demand_class(stats, params)
    stats = stats.fillna({"history_mean": 0.0, "history_std": 0.0})
    return stats.reset_index()[CLASS_COLUMNS]


def demand_class(stats: pd.DataFrame, params: ForecastParams) -> np.ndarray:
    """Class per row of (`history_periods`, `periods_since_demand`, `adi`, `cv2`)."""
    history = stats["history_periods"].to_numpy()
    frequent = stats["adi"].to_numpy() < ADI_CUTOFF
    steady = stats["cv2"].to_numpy() < CV2_CUTOFF
    return np.select(
        [
            history < params.min_history_periods,
            stats["periods_since_demand"].to_numpy() >= params.dormant_periods,
            frequent & steady,
            frequent,
            steady,
        ],
        [NEW, DORMANT, SMOOTH, ERRATIC, INTERMITTENT],
        default=LUMPY,
    )
