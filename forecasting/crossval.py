"""Rolling-origin cross-validation of one model over many series in one statsforecast call.

Both the `replenish backtest` report and the nightly model choice score models this
way, so the windows, the fallback and the error spread are defined once, here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import HistoricAverage

from forecasting import execution
from forecasting.params import Frequency
from forecasting.prepare import STATSFORECAST_FREQ
from forecasting.statistical import FlaggedHistoricAverage

_COLUMN = "forecast"


class _MarkedFailure(HistoricAverage):
    """A fallback that forecasts NaN: a model that raised is then scored as failed on
    that series instead of silently borrowing the historic average's score."""

    def forecast(
        self,
        y: np.ndarray,
        h: int,
        X: np.ndarray | None = None,  # noqa: N803 (statsforecast's signature)
        X_future: np.ndarray | None = None,  # noqa: N803
        level: list[int] | None = None,
        fitted: bool = False,
    ) -> dict[str, np.ndarray]:
        result = {"mean": np.full(h, np.nan)}
        if fitted:
            result["fitted"] = np.full(len(y), np.nan)
        return result


@dataclass(frozen=True)
class CrossValidation:
    """Out-of-sample forecasts of every window, and each window's in-sample spread.

    `forecasts`: unique_id, cutoff, ds, y, forecast (one row per series, window, step).
    `windows`: unique_id, cutoff, sigma (RMSE of the in-sample fit up to the cutoff,
    the same spread the engine puts into its quantiles), fell_back (the model raised
    and the historic average stood in).
    """

    forecasts: pd.DataFrame
    windows: pd.DataFrame


def cross_validate(
    frame: pd.DataFrame,
    model: Any,
    *,
    frequency: Frequency,
    horizon: int,
    windows: int,
    input_size: int | None = None,
    spread: bool = True,
) -> CrossValidation:
    """`windows` back-to-back windows of `horizon` periods ending at the last period.

    Windows do not overlap (step = horizon), so each actual period is scored once. A
    series must be longer than `horizon * windows`; the caller filters. A model that
    raises on a series is replaced by the historic average for that series and window
    (its fitted values are NaN, which is how `fell_back` is told), and its spread is
    then the standard deviation of the training data. `input_size` caps the history
    each window's fit sees (cost); `spread=False` skips the in-sample fit and leaves
    `windows` empty when only the point forecasts are scored; a model that raises then
    leaves NaN forecasts (no stand-in), so the caller sees the failure.
    """
    model.alias = _COLUMN
    engine = StatsForecast(
        models=[model],
        freq=STATSFORECAST_FREQ[frequency],
        n_jobs=1,
        fallback_model=FlaggedHistoricAverage() if spread else _MarkedFailure(),
    )
    forecasts, fitted = execution.cross_validation(
        engine,
        _model_frame(frame),
        fitted=spread,
        h=horizon,
        n_windows=windows,
        step_size=horizon,
        input_size=input_size,
    )
    forecasts = forecasts.assign(unique_id=forecasts["unique_id"].astype(str))
    if fitted is None:
        empty = pd.DataFrame(columns=["unique_id", "cutoff", "sigma", "fell_back"])
        return CrossValidation(forecasts=forecasts.reset_index(drop=True), windows=empty)
    y = fitted["y"].to_numpy(np.float64)
    error2 = (y - fitted[_COLUMN].to_numpy(np.float64)) ** 2
    keys = [fitted["unique_id"].astype(str).to_numpy(), fitted["cutoff"].to_numpy()]
    per_fit = (
        pd.DataFrame({"e2": error2, "y": y, "n": np.isfinite(error2)})
        .groupby(keys, sort=False)
        .agg(e2=("e2", "mean"), y_std=("y", "std"), n=("n", "sum"))
    )
    per_fit.index.names = ["unique_id", "cutoff"]
    fell_back = per_fit["n"].to_numpy() == 0
    sigma = np.where(fell_back, per_fit["y_std"].to_numpy(), np.sqrt(per_fit["e2"].to_numpy()))
    per_window = per_fit.reset_index()[["unique_id", "cutoff"]]
    per_window["sigma"] = np.nan_to_num(sigma, nan=0.0)
    per_window["fell_back"] = fell_back
    return CrossValidation(forecasts=forecasts.reset_index(drop=True), windows=per_window)


def _model_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """`unique_id`, `ds`, `y` with the ids as text and `y` as float64, what the call takes.

    A categorical id (the prepared series' codes) is turned into text by taking its
    categories' text by code: the same strings as `astype(str)`, which formats every row
    and cost more than the rest of the stage's work around a backtest call.
    """
    out = frame[["unique_id", "ds", "y"]].astype({"y": np.float64})
    ids = frame["unique_id"]
    if isinstance(ids.dtype, pd.CategoricalDtype) and not ids.isna().any():
        text = ids.cat.categories.astype(str).to_numpy(dtype=object)
        out["unique_id"] = text.take(ids.cat.codes.to_numpy())
    else:
        out["unique_id"] = ids.astype(str)
    return out
