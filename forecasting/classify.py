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
    codes, index = _series_codes(series["unique_id"])
    n = len(index)
    ds = series["ds"].to_numpy(dtype="datetime64[ns]")
    y = np.nan_to_num(series["y"].to_numpy(dtype=np.float64), nan=0.0)
    named = codes >= 0
    if not named.all():  # a row without a series id is in no series (as a group-by has it)
        codes, ds, y = codes[named], ds[named], y[named]
    # Per series statistics over the rows each one needs (the sales, the history), by
    # integer codes: a frame of five masked copies of the history grouped by series
    # held about 600 MB at 10,000 two-year daily series. The same pandas reductions,
    # over the same values in the same order, give the same figures.
    has_demand = y > 0
    sold_at = ds[has_demand]
    first_demand = _per_code(sold_at, codes[has_demand], n, "min")
    last_demand = _per_code(sold_at, codes[has_demand], n, "max")
    del sold_at
    in_history = ds >= first_demand[codes]  # never for a series without demand (NaT)
    since_last = ds > last_demand[codes]
    stats = pd.DataFrame(
        {
            "history_periods": np.bincount(codes[in_history], minlength=n),
            "demand_periods": np.bincount(codes[has_demand], minlength=n),
            "periods_since_demand": np.bincount(codes[since_last], minlength=n),
            "size_mean": _per_code(y[has_demand], codes[has_demand], n, "mean"),
            "size_std": _per_code(y[has_demand], codes[has_demand], n, "std"),
            "history_mean": _per_code(y[in_history], codes[in_history], n, "mean"),
            "history_std": _per_code(y[in_history], codes[in_history], n, "std"),
        },
        index=index,
    ).astype(dict.fromkeys(["history_periods", "demand_periods", "periods_since_demand"], np.int64))
    observed = np.bincount(codes, minlength=n) > 0
    stats = stats.loc[observed]
    stats.index.name = "unique_id"
    with np.errstate(divide="ignore", invalid="ignore"):
        stats["adi"] = stats["history_periods"] / stats["demand_periods"]
        stats["cv2"] = (stats["size_std"] / stats["size_mean"]) ** 2
    stats["demand_class"] = demand_class(stats, params)
    stats = stats.fillna({"history_mean": 0.0, "history_std": 0.0})
    return stats.reset_index()[CLASS_COLUMNS]


def _series_codes(uid: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Per row, the code of its series; per code, the series id, in the order a sorted
    group-by on `uid` gives (a categorical's own category order)."""
    if isinstance(uid.dtype, pd.CategoricalDtype):
        categories = uid.cat.categories
        index = pd.CategoricalIndex(
            pd.Categorical.from_codes(np.arange(len(categories)), dtype=uid.dtype)
        )
        return uid.cat.codes.to_numpy(), index
    codes, uniques = pd.factorize(uid.to_numpy(), sort=True)
    return codes, pd.Index(uniques)


def _per_code(values: np.ndarray, codes: np.ndarray, n: int, how: str) -> np.ndarray:
    """`how` (min, max, mean, std with ddof 0) of `values` per code 0..n-1 (NaN or NaT
    where a code has no value)."""
    grouped = pd.Series(values).groupby(codes, sort=True)
    result = grouped.std(ddof=0) if how == "std" else grouped.agg(how)
    return result.reindex(pd.RangeIndex(n)).to_numpy()


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
