"""A backtest -> the numbers people and scripts compare: per class and overall.

MASE, RMSSE and bias are averaged over series (each series counts once, as in the
M4/Monash benchmarks); coverage is the share of all (series, window) actual totals at
or below the quantile, which for a calibrated quantile is near its level.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from forecasting.backtest import MODEL, SEASONAL_NAIVE, Backtest
from forecasting.metrics import coverage
from forecasting.scoring import QUANTILE_LEVELS, quantile_column


def summarise(result: Backtest) -> dict[str, Any]:
    """One JSON-ready object: `overall`, `by_class`, `seasonal_naive` (the same keys
    plus its own `by_class`) and `skill` (model over naive: below 1 is better)."""
    model = _method(result, MODEL)
    naive = _method(result, SEASONAL_NAIVE)
    return {
        "frequency": result.frequency,
        "horizon": result.horizon,
        "windows": result.windows_count,
        "overall": model["overall"],
        "by_class": model["by_class"],
        "models": _model_counts(result.series.loc[result.series["method"] == MODEL]),
        "seasonal_naive": {**naive["overall"], "by_class": naive["by_class"]},
        "skill": {
            name: _ratio(model["overall"][name], naive["overall"][name])
            for name in ("mase", "rmsse")
        },
        "not_scored": {name: int(count) for name, count in sorted(result.skipped.items())},
    }


def _method(result: Backtest, method: str) -> dict[str, Any]:
    series = result.series.loc[result.series["method"] == method]
    windows = result.windows.loc[result.windows["method"] == method]
    by_class = {
        str(name): _block(group, windows.loc[windows["demand_class"] == name])
        for name, group in series.groupby("demand_class", sort=True)
    }
    return {"overall": _block(series, windows), "by_class": by_class}


def _block(series: pd.DataFrame, windows: pd.DataFrame) -> dict[str, Any]:
    actual = windows["actual"].to_numpy(np.float64)
    return {
        "series": len(series),
        "mase": _number(series["mase"]),
        "rmsse": _number(series["rmsse"]),
        "bias": _number(series["bias"]),
        "coverage": {
            f"{level:g}": _rounded(
                coverage(actual, windows[quantile_column(level)].to_numpy(np.float64))
            )
            for level in QUANTILE_LEVELS
        },
    }


def _model_counts(series: pd.DataFrame) -> dict[str, int]:
    return {str(k): int(v) for k, v in series["model"].value_counts().sort_index().items()}


def _number(values: pd.Series) -> float | None:
    """Mean over the series with a defined value (a constant history has no scale)."""
    finite = values.to_numpy(np.float64)
    finite = finite[np.isfinite(finite)]
    return _rounded(float(finite.mean())) if len(finite) else None


def _rounded(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 4)


def _ratio(top: float | None, bottom: float | None) -> float | None:
    if top is None or not bottom:
        return None
    return round(top / bottom, 4)
