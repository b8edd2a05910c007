"""Rolling-origin backtest of the engine's models, beside seasonal naive.

The last `horizon * windows` periods are held out; each series is classified on the
history before them (the test must not see its own future), forecast by the model the
engine would give it, and scored window by window. New and dormant series are not
scored: they are forecast by rules, not models, and are counted apart. With a stock
history, out-of-stock periods are re-estimated as the night does
(`forecasting.censoring`), and a held-out period spent out of stock is scored against
that estimate: its zero sales say nothing about demand, and scoring them would reward
the forecasts that repeat stock-outs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Final

import numpy as np
import pandas as pd
from statsforecast.models import SeasonalNaive

from forecasting.backtest_models import assign_models
from forecasting.candidates import SEASON
from forecasting.censoring import censor_stockouts
from forecasting.classify import DORMANT, NEW, classify
from forecasting.cleansing import cap_spikes
from forecasting.conformal import recalibrate
from forecasting.crossval import cross_validate
from forecasting.interval import recalibrate_windows
from forecasting.item_table import demand_of, item_table
from forecasting.params import ForecastParams, Frequency
from forecasting.prepare import PreparedDemand, prepare_series
from forecasting.scoring import score
from forecasting.sporadic import SPORADIC_CLASSES, sporadic_windows

# (horizon, windows) per frequency: about a quarter of daily demand, eight months of
# weekly and a year and a half of monthly, so a two-year history keeps a training part.
DEFAULT_WINDOWS: Final[dict[Frequency, tuple[int, int]]] = {"D": (28, 3), "W": (8, 4), "M": (6, 3)}
MODEL: Final = "model"
SEASONAL_NAIVE: Final = "seasonal_naive"


class BacktestError(ValueError):
    """The data cannot be backtested as asked (e.g. no series is long enough)."""


@dataclass(frozen=True)
class Backtest:
    """Per-series and per-window scores of each method (`model`, `seasonal_naive`).

    `series`: method, unique_id, demand_class, model, mase, rmsse, bias.
    `windows`: method, unique_id, demand_class, cutoff, actual, q0.5, q0.8, ... (the
    window's actual total and the protection-interval quantiles of its forecast).
    `skipped`: number of series per class that were not scored (new, dormant).
    `forecasts`: method, unique_id, ds, y (what was sold), forecast (clipped at zero):
    every scored period, for metrics the report does not compute (benchmarks).
    """

    frequency: Frequency
    horizon: int
    windows_count: int
    series: pd.DataFrame
    windows: pd.DataFrame
    skipped: dict[str, int]
    forecasts: pd.DataFrame = field(default_factory=pd.DataFrame)


def backtest(
    demand: pd.DataFrame,
    items: pd.DataFrame,
    *,
    as_of: date,
    params: ForecastParams,
    horizon: int | None = None,
    windows: int | None = None,
    stock_history: pd.DataFrame | None = None,
) -> Backtest:
    """Score the engine's models and seasonal naive on the last `horizon * windows` periods.

    One cross-validation call per model over all the series that model is given
    (never one per series).
    """
    default_horizon, default_windows = DEFAULT_WINDOWS[params.frequency]
    horizon = horizon or default_horizon
    windows = windows or default_windows
    table = item_table(items, params)
    as_sold = prepare_series(demand_of(demand, table), as_of=as_of, frequency=params.frequency)
    # Demand as the night reads it: out-of-stock periods re-estimated (a no-op without a
    # stock history). The models learn from it with spikes capped; they are scored
    # against it uncapped: what was really sold, or the estimate where the shelf was empty.
    demand_seen = censor_stockouts(as_sold, stock_history, params.frequency).prepared
    capped = cap_spikes(demand_seen, params.spike_cap_factor, params.spike_min_sales)
    prepared = capped.prepared
    classes = _training_classes(prepared, params, horizon * windows)
    scored = classes.loc[~classes["demand_class"].isin([NEW, DORMANT])].reset_index(drop=True)
    skipped = classes.loc[classes["demand_class"].isin([NEW, DORMANT]), "demand_class"]
    if scored.empty:
        raise BacktestError(
            f"no series has enough history before the last {horizon * windows} periods "
            f"({windows} windows of {horizon}); try a smaller --horizon or --windows"
        )
    frame = prepared.series.loc[prepared.series["unique_id"].isin(scored["unique_id"])]
    frame = frame.astype({"unique_id": str})
    # Capping keeps the rows and their index: the uncapped quantity of a scored row is
    # `demand_seen`'s at the same label. Nothing capped, nothing to swap back.
    scored_y = None
    if capped.periods.any():
        uncapped = demand_seen.series["y"].loc[frame.index]
        scored_y = frame.assign(y=uncapped).set_index(["unique_id", "ds"])["y"]
    season = SEASON[params.frequency]
    assigned, selection = assign_models(scored, prepared, params, horizon * windows)
    groups = [(MODEL, name, build(), ids) for name, build, ids in assigned]
    long_enough = scored["history_periods"].to_numpy() >= season
    for lag, ids in ((season, long_enough), (1, ~long_enough)):
        if ids.any():
            name = f"SeasonalNaive({lag})"
            groups.append((SEASONAL_NAIVE, name, SeasonalNaive(season_length=lag), ids))
    series_parts, window_parts, forecast_parts = [], [], []
    for method, name, model, ids in groups:
        wanted = scored.loc[ids]
        cv = cross_validate(
            frame.loc[frame["unique_id"].isin(wanted["unique_id"])],
            model,
            frequency=params.frequency,
            horizon=horizon,
            windows=windows,
        )
        if scored_y is not None:
            actual = pd.MultiIndex.from_frame(cv.forecasts[["unique_id", "ds"]])
            cv.forecasts["y"] = scored_y.reindex(actual).to_numpy(np.float64)
        per_series, per_window = score(cv, wanted, frame, season=season, horizon=horizon)
        series_parts.append(per_series.assign(method=method, model=name))
        window_parts.append(per_window.assign(method=method))
        forecast_parts.append(
            cv.forecasts[["unique_id", "ds", "y"]].assign(
                method=method,
                forecast=np.clip(
                    np.nan_to_num(cv.forecasts["forecast"].to_numpy(np.float64)), 0, None
                ),
            )
        )
    per_window = pd.concat(window_parts, ignore_index=True)
    if params.sum_quantile == "out_of_sample" and selection is not None:
        per_window = recalibrate_windows(
            per_window, selection, scored, horizon, min_scores=params.conformal_min_scores
        )
    elif params.sum_quantile == "conformal" and selection is not None:
        # Calibrated only on the inner backtest (training part), as the night would be.
        per_window = recalibrate(per_window, selection, scored, params.conformal_min_scores)
    if params.sporadic_demand == "own_totals":
        sporadic = (per_window["method"] == MODEL) & per_window["demand_class"].isin(
            SPORADIC_CLASSES
        )
        per_window = sporadic_windows(per_window, sporadic.to_numpy(), capped, params, horizon)
    return Backtest(
        frequency=params.frequency,
        horizon=horizon,
        windows_count=windows,
        series=pd.concat(series_parts, ignore_index=True),
        windows=per_window,
        skipped=_skipped(skipped, unsold=len(table) - len(classes)),
        forecasts=pd.concat(forecast_parts, ignore_index=True),
    )


def _training_classes(
    prepared: PreparedDemand, params: ForecastParams, held_out: int
) -> pd.DataFrame:
    """Classes from the history before the held-out periods (unique_id as text)."""
    first_test = (prepared.last_period - held_out + 1).to_timestamp(how="start")
    series = prepared.series
    training = series.loc[series["ds"] < first_test]
    training = training.assign(unique_id=training["unique_id"].cat.remove_unused_categories())
    classes = classify(training, params)
    classes["unique_id"] = classes["unique_id"].astype(str)
    return classes


def _skipped(classes: pd.Series, *, unsold: int) -> dict[str, int]:
    """Series per class left out; items with no sale before the windows count as new."""
    counts = {str(name): int(n) for name, n in classes.value_counts().items()}
    if unsold > 0:
        counts[NEW] = counts.get(NEW, 0) + unsold
    return counts
