"""Statistical forecasts: each model fitted on all its series in one statsforecast call.

A model that fails on a series is replaced by the historic average, and the forecast
says so: statsforecast's own fallback is silent, so it is wrapped to leave a mark.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import HistoricAverage

from forecasting import execution, progress, series_blocks
from forecasting.blocks import ForecastBlock
from forecasting.models import CONTINUOUS, SPORADIC, Candidate
from forecasting.params import Frequency
from forecasting.prepare import STATSFORECAST_FREQ, PreparedDemand

_FORECAST_COLUMN = "forecast"


class FlaggedHistoricAverage(HistoricAverage):
    """statsforecast's fallback: the historic mean, with its in-sample fit left NaN.

    statsforecast writes a fallback's forecast under the primary model's column and
    says nothing; an all-NaN fitted path (no primary model produces one) is how the
    engine learns which series fell back, so the summary can say so.
    """

    def forecast(
        self,
        y: np.ndarray,
        h: int,
        X: np.ndarray | None = None,  # noqa: N803 (statsforecast's signature)
        X_future: np.ndarray | None = None,  # noqa: N803
        level: list[int] | None = None,
        fitted: bool = False,
    ) -> dict[str, np.ndarray]:
        result: dict[str, np.ndarray] = super().forecast(
            y=y, h=h, X=X, X_future=X_future, level=level, fitted=fitted
        )
        if fitted:
            result["fitted"] = np.full(len(y), np.nan)
        return result


def forecast_statistical(
    table: pd.DataFrame,
    prepared: PreparedDemand,
    chains: dict[str, tuple[Candidate, ...]],
    frequency: Frequency,
    horizon: int,
    skip: np.ndarray | None = None,
) -> list[ForecastBlock]:
    """Smooth/erratic and intermittent/lumpy series: one statsforecast call per model.

    `chains` is `candidate_chains(frequency)`, passed in so the caller decides the models;
    rows marked in `skip` (already forecast by a backtest's choice) are left out.
    """
    blocks = []
    history = table["history_periods"].to_numpy()
    for chain_name, classes in (("continuous", CONTINUOUS), ("sporadic", SPORADIC)):
        chain = chains[chain_name]
        in_chain = table["demand_class"].isin(classes).to_numpy()
        if skip is not None:
            in_chain &= ~skip
        choice = np.full(len(table), -1)
        for position in reversed(range(len(chain))):  # earlier candidates win
            choice[in_chain & (history >= chain[position].min_periods)] = position
        for position, candidate in enumerate(chain):
            rows = np.flatnonzero(choice == position)
            if len(rows):
                blocks += _run_candidate(candidate, rows, table, prepared, frequency, horizon)
    return blocks


def forecast_chosen(
    groups: list[tuple[Candidate, np.ndarray]],
    table: pd.DataFrame,
    prepared: PreparedDemand,
    frequency: Frequency,
    horizon: int,
) -> list[ForecastBlock]:
    """Fit each chosen model on all the rows that chose it: one call per model (per block
    of series when `execution.in_blocks` bounds them)."""
    return [
        block
        for candidate, rows in groups
        for block in _run_candidate(candidate, rows, table, prepared, frequency, horizon)
    ]


def _run_candidate(
    candidate: Candidate,
    rows: np.ndarray,
    table: pd.DataFrame,
    prepared: PreparedDemand,
    frequency: Frequency,
    horizon: int,
) -> list[ForecastBlock]:
    """Fit one model on all its series, one call per block of series (`execution.blocks`:
    one block unless the caller bounded them); each block's frames are released before
    the next is built. Every series is fitted on its own, so blocks change nothing."""
    parts = execution.blocks(rows)
    return [
        _fit_block(candidate, part, table, prepared, frequency, horizon, (k, len(parts)))
        for k, part in enumerate(parts)
    ]


def _fit_block(
    candidate: Candidate,
    rows: np.ndarray,
    table: pd.DataFrame,
    prepared: PreparedDemand,
    frequency: Frequency,
    horizon: int,
    block: tuple[int, int] = (0, 1),
) -> ForecastBlock:
    """Fit one model on some series in a single call (`block`: which of how many, for
    the progress); in-sample RMSE from the fit."""
    codes = table["series_code"].to_numpy()[rows]
    # float64 at the statsforecast boundary: ETS ran ~35% faster than on float32 here.
    frame = series_blocks.frame_of(prepared, codes).astype({"y": np.float64})

    model = candidate.build()
    model.alias = _FORECAST_COLUMN
    engine = StatsForecast(
        models=[model],
        freq=STATSFORECAST_FREQ[frequency],
        n_jobs=1,  # measured faster than 2 processes on this 2-core machine
        fallback_model=FlaggedHistoricAverage(),
    )
    forecast, fitted = execution.forecast_with_fit(engine, frame, horizon)
    progress.model_call("forecast", execution.block_label(candidate.name, *block), len(rows))

    labels = prepared.ids["unique_id"]
    out_codes = pd.Categorical(forecast["unique_id"].to_numpy()[::horizon], categories=labels)
    means = forecast[_FORECAST_COLUMN].to_numpy(dtype=np.float64).reshape(-1, horizon)
    fit_codes = pd.Categorical(fitted["unique_id"], categories=labels).codes
    error2 = (fitted["y"].to_numpy(np.float64) - fitted[_FORECAST_COLUMN].to_numpy(np.float64)) ** 2
    finite = np.isfinite(error2)
    sums = np.bincount(fit_codes, weights=np.where(finite, error2, 0.0), minlength=len(labels))
    counts = np.bincount(fit_codes, weights=finite, minlength=len(labels))

    # Results come back in series order; put them back in the order of `rows`.
    order = pd.Index(out_codes.codes).get_indexer(codes)
    means, sums, counts = means[order], sums[codes], counts[codes]
    history_mean = table["history_mean"].to_numpy()[rows]
    history_std = table["history_std"].to_numpy()[rows]
    raised = counts == 0
    broken = ~raised & ~np.isfinite(means).all(axis=1)
    fell_back = raised | broken
    rmse = np.sqrt(np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0))
    rmse = np.where(fell_back, history_std, rmse)
    means = np.where(fell_back[:, None], history_mean[:, None], means)
    fallback = np.full(len(rows), None, dtype=object)
    fallback[raised] = f"{candidate.name} raised on this series; historic average used"
    fallback[broken] = f"{candidate.name} gave a non-finite forecast; historic average used"
    model_names = np.where(fell_back, "HistoricAverage", candidate.name).astype(object)
    return ForecastBlock(rows, means, rmse, rmse, model_names, fallback)
