"""Cross-validation output -> per-series errors and per-window quantiles.

The quantiles are read exactly as the engine reads them for ordering (the in-sample
spread of the fit, `protection_demand_std`, `protection_quantile` with the class's
distribution), treating each window as a protection interval of `horizon` periods, so
their coverage tests the numbers purchasing orders from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from forecasting.metrics import mase, naive_scales, rmsse, scaled_bias
from forecasting.uncertainty import COUNT_CLASSES, protection_demand_std, protection_quantile

if TYPE_CHECKING:  # only a type here: importing it would load statsforecast with the settings
    from forecasting.crossval import CrossValidation

QUANTILE_LEVELS: Final = (0.5, 0.8, 0.9, 0.95)


def quantile_column(level: float) -> str:
    """Column of the per-window frame holding the `level` quantile, e.g. `q0.9`."""
    return f"q{level:g}"


def score(
    cv: CrossValidation,
    wanted: pd.DataFrame,
    frame: pd.DataFrame,
    *,
    season: int,
    horizon: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Errors per series (`unique_id`, `demand_class`, `mase`, `rmsse`, `bias`) and
    actual totals with quantiles per series and window.

    `wanted` (unique_id, demand_class) lists the series of `cv`; `frame` is their full
    history (unique_id, ds, y), sorted by series then time, from which the in-sample
    seasonal naive scale is taken over the periods before the first window.
    """
    ids = pd.Index(wanted["unique_id"].to_numpy())
    n_series = len(ids)
    first_cutoff = cv.forecasts["cutoff"].min()
    training = frame.loc[frame["unique_id"].isin(ids) & (frame["ds"] <= first_cutoff)]
    mae_scale, mse_scale = naive_scales(
        training["y"].to_numpy(np.float64),
        ids.get_indexer(training["unique_id"]),
        n_series,
        season,
    )

    forecasts = cv.forecasts
    codes = ids.get_indexer(forecasts["unique_id"])
    actual = forecasts["y"].to_numpy(np.float64)
    # The engine never forecasts negative demand: score what it would have ordered from.
    predicted = np.clip(np.nan_to_num(forecasts["forecast"].to_numpy(np.float64)), 0.0, None)
    per_series = pd.DataFrame(
        {
            "unique_id": ids,
            "demand_class": wanted["demand_class"].to_numpy(),
            "mase": mase(actual, predicted, codes, mae_scale),
            "rmsse": rmsse(actual, predicted, codes, mse_scale),
            "bias": scaled_bias(actual, predicted, codes, mae_scale),
        }
    )

    totals = (
        pd.DataFrame({"code": codes, "cutoff": forecasts["cutoff"], "a": actual, "f": predicted})
        .groupby(["code", "cutoff"], sort=False)
        .agg(actual=("a", "sum"), mean=("f", "sum"))
        .reset_index()
    )
    sigma = cv.windows.assign(code=ids.get_indexer(cv.windows["unique_id"]))
    totals = totals.merge(sigma[["code", "cutoff", "sigma"]], on=["code", "cutoff"], how="left")
    mean = totals["mean"].to_numpy()
    periods = np.full(len(totals), float(horizon))
    std = protection_demand_std(
        totals["sigma"].fillna(0.0).to_numpy(), periods, mean / horizon, np.zeros(len(totals))
    )
    demand_class = wanted["demand_class"].to_numpy()[totals["code"].to_numpy()]
    count_like = np.isin(demand_class, COUNT_CLASSES)
    per_window = pd.DataFrame(
        {
            "unique_id": ids[totals["code"].to_numpy()],
            "demand_class": demand_class,
            "cutoff": totals["cutoff"].to_numpy(),
            "actual": totals["actual"].to_numpy(),
            "mean": mean,
            "std": std,
            "sigma": totals["sigma"].fillna(0.0).to_numpy(),
        }
    )
    for level in QUANTILE_LEVELS:
        levels = np.full(len(totals), level)
        per_window[quantile_column(level)] = protection_quantile(mean, std, levels, count_like)
    return per_series, per_window
