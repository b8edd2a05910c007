"""History -> per item-location forecast of demand over the protection interval
(lead time + review period): its mean, spread and service-level quantile."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from statsforecast import StatsForecast
from statsforecast.models import AutoETS, CrostonSBA, HistoricAverage

from forecasting.classify import DORMANT, ERRATIC, INTERMITTENT, LUMPY, NEW, SMOOTH, classify
from forecasting.params import ForecastParams, Frequency, periods_in_days
from forecasting.prepare import STATSFORECAST_FREQ, PreparedDemand, prepare_series

SUMMARY_COLUMNS = [
    "sku",
    "location",
    "demand_class",
    "model",
    "fallback",
    "history_periods",
    "mean_per_period",
    "protection_periods",
    "demand_mean",
    "demand_std",
    "service_level",
    "demand_quantile",
    "fit_rmse",
]
PATH_COLUMNS = ["sku", "location", "ds", "step", "mean"]

CONTINUOUS = (SMOOTH, ERRATIC)
SPORADIC = (INTERMITTENT, LUMPY)
# Classes whose protection-interval demand is read from a count distribution: few,
# whole units, skewed to the right, where a normal curve would put mass below zero.
COUNT_CLASSES = (*SPORADIC, NEW, DORMANT)

# Beyond a year the per-period path is extrapolated flat from its last step rather
# than materialised, so one absurd lead time cannot allocate a giant matrix.
_MAX_HORIZON_DAYS = 366
# Service levels are clipped inside (0, 1): a quantile at exactly 1 is infinite.
_SERVICE_LEVEL_BOUNDS = (1e-4, 1 - 1e-4)
_FORECAST_COLUMN = "forecast"


@dataclass(frozen=True)
class ForecastResult:
    """What purchasing needs per active item-location (`summary`) and the per-period
    forecast behind it (`path`); columns as in docs/frames.md."""

    summary: pd.DataFrame
    path: pd.DataFrame


@dataclass(frozen=True)
class Candidate:
    """A statsforecast model a series may be given, and the shortest history it needs."""

    name: str
    build: Callable[[], Any]
    min_periods: int


def candidate_chains(frequency: Frequency) -> dict[str, tuple[Candidate, ...]]:
    """Models per pattern, best first; a series gets the first whose history it has.

    Fixed forms, not automatic searches: a full AutoETS search costs about 12x the
    fixed ANA form and a night must fit the whole catalogue (notes/measured.md). The
    backtest-based choice among several candidates is a later step.
    """
    mean = Candidate("HistoricAverage", HistoricAverage, 1)
    # ETS refuses n <= parameters + 4; ten periods leave room for a level to settle.
    level = Candidate("AutoETS(ANN)", lambda: AutoETS(model="ANN"), 10)
    season = {"D": 7, "M": 12}.get(frequency)
    continuous: tuple[Candidate, ...] = (level, mean)
    if season is not None:  # weekly: 52-week seasons cannot be estimated from 2 years
        seasonal = Candidate(
            f"AutoETS(ANA,{season})",
            lambda: AutoETS(model="ANA", season_length=season),
            2 * season,
        )
        continuous = (seasonal, *continuous)
    sporadic = (Candidate("CrostonSBA", CrostonSBA, 2), mean)
    return {"continuous": continuous, "sporadic": sporadic}


class _FlaggedHistoricAverage(HistoricAverage):
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


@dataclass(frozen=True)
class _Block:
    """Forecasts for some rows of the item table, however they were made."""

    rows: np.ndarray
    means: np.ndarray  # (len(rows), horizon)
    sigma: np.ndarray  # per-period forecast error standard deviation
    fit_rmse: np.ndarray
    model: np.ndarray
    fallback: np.ndarray


def forecast_demand(
    demand: pd.DataFrame, items: pd.DataFrame, *, as_of: date, params: ForecastParams
) -> ForecastResult:
    """Forecast every active item-location in `items`, including those never sold.

    Statistical series go through one statsforecast call per model (never one per
    series); new and dormant items get documented rules (see `_new_items`, `_dormant`).
    """
    table = _item_table(items, params)
    prepared = prepare_series(_demand_of(demand, table), as_of=as_of, frequency=params.frequency)
    table = _with_history(table, prepared, params)
    max_horizon = periods_in_days(_MAX_HORIZON_DAYS, params.frequency)
    longest = table["protection_periods"].to_numpy().max(initial=0.0)
    horizon = min(max(1, math.ceil(longest)), max_horizon)

    blocks = [
        *_statistical(table, prepared, params, horizon),
        _new_items(table, horizon),
        _dormant(table, prepared, params, horizon),
    ]
    means = np.zeros((len(table), horizon))
    columns: dict[str, np.ndarray] = {
        "sigma": np.zeros(len(table)),
        "fit_rmse": np.full(len(table), np.nan),
        "model": np.full(len(table), None, dtype=object),
        "fallback": np.full(len(table), None, dtype=object),
    }
    for block in blocks:
        means[block.rows] = block.means
        for name, values in columns.items():
            values[block.rows] = getattr(block, name)
    # Demand is never negative; additive models can dip below zero on slow days.
    means = np.clip(np.nan_to_num(means, nan=0.0, posinf=0.0), 0.0, None)
    summary = _summary(table, means, columns)
    path = _path(table, means, prepared.future_dates(horizon))
    return ForecastResult(summary=summary, path=path)


def _item_table(items: pd.DataFrame, params: ForecastParams) -> pd.DataFrame:
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


def _demand_of(demand: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Only the demand of items being forecast: inactive items cost no model time."""
    wanted = pd.MultiIndex.from_frame(table[["sku", "location"]])
    mask = pd.MultiIndex.from_arrays([demand["sku"], demand["location"]]).isin(wanted)
    return demand.loc[mask]


def _with_history(
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


def _statistical(
    table: pd.DataFrame, prepared: PreparedDemand, params: ForecastParams, horizon: int
) -> list[_Block]:
    """Smooth/erratic and intermittent/lumpy series: one statsforecast call per model."""
    blocks = []
    history = table["history_periods"].to_numpy()
    for chain_name, classes in (("continuous", CONTINUOUS), ("sporadic", SPORADIC)):
        chain = candidate_chains(params.frequency)[chain_name]
        in_chain = table["demand_class"].isin(classes).to_numpy()
        choice = np.full(len(table), -1)
        for position in reversed(range(len(chain))):  # earlier candidates win
            choice[in_chain & (history >= chain[position].min_periods)] = position
        for position, candidate in enumerate(chain):
            rows = np.flatnonzero(choice == position)
            if len(rows):
                blocks.append(
                    _run_candidate(candidate, rows, table, prepared, params.frequency, horizon)
                )
    return blocks


def _run_candidate(
    candidate: Candidate,
    rows: np.ndarray,
    table: pd.DataFrame,
    prepared: PreparedDemand,
    frequency: Frequency,
    horizon: int,
) -> _Block:
    """Fit one model on all its series in a single call; in-sample RMSE from the fit."""
    codes = table["series_code"].to_numpy()[rows]
    series = prepared.series
    series_code = series["unique_id"].cat.codes.to_numpy()
    wanted = np.zeros(len(prepared.ids), dtype=bool)
    wanted[codes] = True
    # float64 at the statsforecast boundary: ETS ran ~35% faster than on float32 here.
    frame = series.loc[wanted[series_code]].astype({"y": np.float64})

    model = candidate.build()
    model.alias = _FORECAST_COLUMN
    engine = StatsForecast(
        models=[model],
        freq=STATSFORECAST_FREQ[frequency],
        n_jobs=1,  # measured faster than 2 processes on this 2-core machine
        fallback_model=_FlaggedHistoricAverage(),
    )
    forecast = engine.forecast(df=frame, h=horizon, fitted=True)
    fitted = engine.forecast_fitted_values()

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
    return _Block(rows, means, rmse, rmse, model_names, fallback)


def _new_items(table: pd.DataFrame, horizon: int) -> _Block:
    """Too little history for a model.

    With some history: its mean per period. With none: the mean per-period demand of
    the active items of the same category at the same location, else of the category
    anywhere, else zero. Either way the per-period spread is at least the mean
    (coefficient of variation >= 1): a wide interval, because nothing about this item's
    own variability is known yet.
    """
    rows = np.flatnonzero(table["demand_class"].to_numpy() == NEW)
    history = table["history_periods"].to_numpy()[rows]
    mean = table["history_mean"].to_numpy()[rows].astype(float)
    std = table["history_std"].to_numpy()[rows].astype(float)
    model = np.full(len(rows), "new:history_mean", dtype=object)

    peers = table.loc[(table["history_periods"] > 0) & (table["category"] != "")]
    by_place = peers.groupby(["category", "location"])["history_mean"].mean()
    by_category = peers.groupby("category")["history_mean"].mean()
    unsold = table.iloc[rows]
    place = by_place.reindex(pd.MultiIndex.from_frame(unsold[["category", "location"]]))
    category = by_category.reindex(unsold["category"])
    place_mean, category_mean = place.to_numpy(), category.to_numpy()
    none = history == 0
    use_place = none & np.isfinite(place_mean)
    use_category = none & ~use_place & np.isfinite(category_mean)
    mean[use_place], model[use_place] = place_mean[use_place], "new:category_location_profile"
    mean[use_category], model[use_category] = category_mean[use_category], "new:category_profile"
    nothing = none & ~use_place & ~use_category
    mean[nothing], model[nothing] = 0.0, "new:no_history"
    rmse = np.where(none, np.nan, std)
    sigma = np.maximum(std, mean)
    means = np.repeat(mean[:, None], horizon, axis=1)
    return _Block(rows, means, sigma, rmse, model, np.full(len(rows), None, dtype=object))


def _dormant(
    table: pd.DataFrame, prepared: PreparedDemand, params: ForecastParams, horizon: int
) -> _Block:
    """No demand for `dormant_periods`: forecast the recent, decayed level.

    The level is an exponentially weighted mean with a half-life of `dormant_periods`,
    so a long silence weighs at least as much as everything before it: the mean is
    small (not zero: the silence may be a stock-out, not a dead item) and keeps
    shrinking while the silence lasts. Spread is Poisson-like (variance = mean).
    """
    rows = np.flatnonzero(table["demand_class"].to_numpy() == DORMANT)
    codes = table["series_code"].to_numpy()[rows]
    level = _decayed_level(prepared, codes, half_life=params.dormant_periods)
    means = np.repeat(level[:, None], horizon, axis=1)
    model = np.full(len(rows), "dormant:decayed_level", dtype=object)
    none = np.full(len(rows), None, dtype=object)
    return _Block(rows, means, np.sqrt(level), np.full(len(rows), np.nan), model, none)


def _decayed_level(prepared: PreparedDemand, codes: np.ndarray, *, half_life: int) -> np.ndarray:
    """Exponentially weighted mean of each selected series, newest period weighing 1."""
    series_code = prepared.series["unique_id"].cat.codes.to_numpy()
    y = prepared.series["y"].to_numpy(np.float64)
    n_series = len(prepared.ids)
    length = np.bincount(series_code, minlength=n_series)
    start = np.cumsum(length) - length
    age = start[series_code] + length[series_code] - 1 - np.arange(len(series_code))
    weight = 0.5 ** (age / half_life)
    total = np.bincount(series_code, weights=weight * y, minlength=n_series)
    norm = np.bincount(series_code, weights=weight, minlength=n_series)
    return np.divide(total, norm, out=np.zeros(n_series), where=norm > 0)[codes]


def protection_demand_std(
    sigma_per_period: np.ndarray,
    protection_periods: np.ndarray,
    mean_per_period: np.ndarray,
    lead_time_std_periods: np.ndarray,
) -> np.ndarray:
    """Standard deviation of TOTAL demand over the protection interval.

    var = P·σ² + (μ·σ_L)². The first term assumes the per-period forecast errors are
    independent with a constant σ, so their variances add (the spread grows with √P,
    not with P as summing per-period quantiles would imply); errors of a smoothing
    model are in fact positively correlated over the horizon, so this is optimistic
    for volatile series. The second term is the standard allowance for an uncertain
    lead time (σ_L periods) independent of demand. A later step replaces the first
    term with conformal or bootstrapped errors of the cumulative forecast.
    """
    variance = (
        protection_periods * sigma_per_period**2 + (mean_per_period * lead_time_std_periods) ** 2
    )
    return np.sqrt(variance)


def protection_quantile(
    mean: np.ndarray, std: np.ndarray, service_level: np.ndarray, count_like: np.ndarray
) -> np.ndarray:
    """Quantile of protection-interval demand at each item's service level.

    Continuous patterns: normal approximation, floored at zero. Count patterns (sporadic,
    new, dormant): a negative binomial with the same mean and variance (a Poisson when
    the variance does not exceed the mean), because their totals are small whole
    numbers skewed to the right; the quantile is then a whole number of units.
    A skewed distribution's quantile can fall below its mean even above 0.5 (a slow
    mover most often sells nothing); above 0.5 the result is raised to the mean so a
    safety stock never comes out negative.
    """
    level = np.clip(np.nan_to_num(service_level, nan=0.5), *_SERVICE_LEVEL_BOUNDS)
    mean = np.clip(np.nan_to_num(mean, nan=0.0, posinf=0.0), 0.0, None)
    std = np.clip(np.nan_to_num(std, nan=0.0, posinf=0.0), 0.0, None)
    quantile = np.maximum(mean + stats.norm.ppf(level) * std, 0.0)

    variance = std**2
    counted = count_like & (mean > 0)
    dispersed = counted & (variance > mean * (1 + 1e-9))
    poisson = counted & ~dispersed
    quantile[count_like & (mean <= 0)] = 0.0
    if poisson.any():
        quantile[poisson] = stats.poisson.ppf(level[poisson], mean[poisson])
    if dispersed.any():
        m, v = mean[dispersed], variance[dispersed]
        quantile[dispersed] = stats.nbinom.ppf(level[dispersed], m * m / (v - m), m / v)
    return np.where(level > 0.5, np.maximum(quantile, mean), quantile)


def _summary(
    table: pd.DataFrame,
    means: np.ndarray,
    columns: dict[str, np.ndarray],
) -> pd.DataFrame:
    """Sum the path over each item's protection interval and read off its quantile."""
    protection = table["protection_periods"].to_numpy()
    horizon = means.shape[1]
    # Step j (1-based) counts fully while j <= P, by its fraction in the step holding P,
    # and beyond the materialised horizon the last step is extrapolated flat.
    weights = np.clip(protection[:, None] - np.arange(horizon)[None, :], 0.0, 1.0)
    demand_mean = (means * weights).sum(axis=1) + np.maximum(protection - horizon, 0) * means[:, -1]
    mean_per_period = np.divide(
        demand_mean, protection, out=means[:, 0].copy(), where=protection > 0
    )
    demand_std = protection_demand_std(
        columns["sigma"], protection, mean_per_period, table["lead_time_std_periods"].to_numpy()
    )
    count_like = table["demand_class"].isin(COUNT_CLASSES).to_numpy()
    service_level = table["service_level"].to_numpy()
    quantile = protection_quantile(demand_mean, demand_std, service_level, count_like)
    return pd.DataFrame(
        {
            "sku": table["sku"],
            "location": table["location"],
            "demand_class": table["demand_class"],
            "model": columns["model"],
            "fallback": columns["fallback"],
            "history_periods": table["history_periods"],
            "mean_per_period": mean_per_period,
            "protection_periods": protection,
            "demand_mean": demand_mean,
            "demand_std": demand_std,
            "service_level": service_level,
            "demand_quantile": quantile,
            "fit_rmse": columns["fit_rmse"],
        }
    )[SUMMARY_COLUMNS]


def _path(table: pd.DataFrame, means: np.ndarray, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """The per-period forecast, one row per item-location and step."""
    horizon = means.shape[1]
    return pd.DataFrame(
        {
            "sku": np.repeat(table["sku"].to_numpy(), horizon),
            "location": np.repeat(table["location"].to_numpy(), horizon),
            "ds": np.tile(dates.to_numpy(), len(table)),
            "step": np.tile(np.arange(1, horizon + 1, dtype=np.int32), len(table)),
            "mean": means.ravel(),
        }
    )[PATH_COLUMNS]
