"""The latest demand of each series next to what its forecast expected, and the history
kept with the forecast, so that "why did it recommend that?" can be answered later.

A purchasing rule compares the latest demand with the forecast's band (DEMAND_ANOMALY):
a one-off bulk sale or a sudden collapse should reach a person before a quantity built
on the model goes out. The latest demand is the backtest's last window, which the
chosen model forecast from the history before it, so the comparison costs no extra fit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.cleansing import Capped
from forecasting.params import DAYS_PER_PERIOD, ForecastParams, Frequency
from forecasting.prepare import PreparedDemand
from forecasting.result import HISTORY_COLUMNS
from forecasting.selection import Selection

# History kept with each forecast: a quarter of days (the weekly pattern and the current
# level), a year of weeks, two years of months (a season of the frequency to compare).
HISTORY_TAIL_PERIODS: dict[Frequency, int] = {"D": 91, "W": 52, "M": 24}
RECENT_COLUMNS = ["recent_days", "recent_demand", "recent_expected", "recent_std"]
CAPPED_COLUMNS = ["capped_periods", "demand_cap"]


def _position_from_end(prepared: PreparedDemand) -> tuple[np.ndarray, np.ndarray]:
    """Each history row's series code and how many periods before the last one it is.

    Every series ends at the same last period and is sorted by `ds` (PreparedDemand), so
    the position is the row's distance from its series' last row.
    """
    codes = prepared.series["unique_id"].cat.codes.to_numpy().astype(np.int64)
    ends = np.cumsum(np.bincount(codes, minlength=len(prepared.ids)))
    return codes, ends[codes] - 1 - np.arange(len(codes))


def recent_figures(
    selection: Selection,
    raw: PreparedDemand,
    table: pd.DataFrame,
    sigma: np.ndarray,
    params: ForecastParams,
) -> dict[str, np.ndarray]:
    """Per item-table row: the span in days of the backtest's last window, the demand in
    it as sold (`raw`, spikes included), what the chosen model forecast for it from the
    history before it, and the spread of that total (`calibrated_spread`). NaN where no
    backtest chose the model (too short a history, or the choice is off): there is no
    honest "expected" to compare with.

    The forecast made *before* the latest demand, not the one made after it: a model that
    has already chased a spike would call the spike itself ordinary, or even low.
    """
    periods = selection.window_periods
    chosen = selection.chosen
    last = selection.window_actual.shape[1] - 1
    codes, from_end = _position_from_end(raw)
    latest = from_end < periods
    sold = np.bincount(
        codes[latest], weights=raw.series["y"].to_numpy(np.float64)[latest], minlength=len(raw.ids)
    )
    series_code = table["series_code"].to_numpy()
    recent = np.full(len(table), np.nan)
    recent[series_code >= 0] = sold[series_code[series_code >= 0]]
    spread = calibrated_spread(
        selection, sigma, table["demand_class"].to_numpy(), params.conformal_min_scores
    )
    return {
        "recent_days": np.where(chosen, periods * DAYS_PER_PERIOD[params.frequency], np.nan),
        "recent_demand": np.where(chosen, recent, np.nan),
        "recent_expected": np.where(chosen, selection.window_mean[:, last], np.nan),
        "recent_std": np.where(chosen, spread, np.nan),
    }


def calibrated_spread(
    selection: Selection, sigma: np.ndarray, classes: np.ndarray, min_scores: int
) -> np.ndarray:
    """Standard deviation of a window's total: sigma x sqrt(periods), widened per demand
    class by how much that understated the backtest's earlier windows.

    The in-sample one-step error of a smoothing model understates the error of a
    four-week total (errors run together, the model itself is uncertain); a band built on
    it alone flags ordinary weeks. Per class, the root mean square of (actual - forecast)
    / (sigma x sqrt(periods)) over the windows before the last one is the factor (never
    below 1); with fewer than `min_scores` such windows in a class, or a single window,
    the plain spread stands.
    """
    base = sigma * np.sqrt(selection.window_periods)
    if selection.window_actual.shape[1] < 2:
        return base
    earlier = selection.window_actual[:, :-1] - selection.window_mean[:, :-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = earlier / base[:, None]
    spread = base.copy()
    for demand_class in np.unique(classes[selection.chosen]):
        rows = selection.chosen & (classes == demand_class) & (base > 0)
        values = scores[rows].ravel()
        values = values[np.isfinite(values)]
        if len(values) >= min_scores:
            spread[rows] = base[rows] * max(1.0, float(np.sqrt(np.mean(values**2))))
    return spread


def capped_figures(capped: Capped, table: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per item-table row: periods of history capped as one-off spikes, and the cap."""
    series_code = table["series_code"].to_numpy()
    found = series_code >= 0
    periods = np.zeros(len(table), dtype=np.int64)
    cap = np.full(len(table), np.nan)
    periods[found] = capped.periods[series_code[found]]
    cap[found] = capped.cap[series_code[found]]
    return {"capped_periods": periods, "demand_cap": cap}


def history_tail(prepared: PreparedDemand, frequency: Frequency) -> pd.DataFrame:
    """The last `HISTORY_TAIL_PERIODS` periods of every series (sku, location, ds, y)."""
    codes, from_end = _position_from_end(prepared)
    keep = from_end < HISTORY_TAIL_PERIODS[frequency]
    ids = prepared.ids
    return pd.DataFrame(
        {
            "sku": ids["sku"].to_numpy()[codes[keep]],
            "location": ids["location"].to_numpy()[codes[keep]],
            "ds": prepared.series["ds"].to_numpy()[keep],
            "y": prepared.series["y"].to_numpy(np.float64)[keep],
        }
    )[HISTORY_COLUMNS]
