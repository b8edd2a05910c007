"""A combination of models as one statsforecast model: the mean or median of its members.

Combining the forecasts of a few automatic methods has beaten each of them on the M3 and
M4 competitions since the 1980s (Makridakis & Hibon 2000; the statsforecast ensemble of
ETS, CES, ARIMA and Theta), because their errors are only partly correlated. Here it is
one more candidate: the backtest chooses it only where it wins (`forecasting.candidates`).

A member that raises, or forecasts something non-finite, on a series is left out of that
series' combination (the others still agree on something sane); only when every member
fails does the combination raise, so the engine's fallback takes over and says so.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np
from statsforecast.models import _TS

Combine = Literal["mean", "median"]


class Combination(_TS):
    """statsforecast model whose forecast is the `how` of its members' forecasts."""

    def __init__(
        self, members: Sequence[Callable[[], Any]], how: Combine = "median", alias: str = "Combo"
    ) -> None:
        self.members = tuple(members)
        self.how = how
        self.alias = alias

    def forecast(
        self,
        y: np.ndarray,
        h: int,
        X: np.ndarray | None = None,  # noqa: N803 (statsforecast's signature)
        X_future: np.ndarray | None = None,  # noqa: N803
        level: list[int] | None = None,
        fitted: bool = False,
    ) -> dict[str, np.ndarray]:
        means, fits = [], []
        for build in self.members:
            try:
                result = build().forecast(y=y, h=h, fitted=fitted)
            except Exception:
                continue
            mean = np.asarray(result["mean"], dtype=np.float64)
            if not np.isfinite(mean).all():
                continue
            means.append(mean)
            if fitted:
                fits.append(np.asarray(result["fitted"], dtype=np.float64))
        if not means:
            raise ValueError("every member of the combination failed on this series")
        out = {"mean": self._combine(np.vstack(means))}
        if fitted:
            out["fitted"] = self._combine(np.vstack(fits))
        return out

    def _combine(self, stacked: np.ndarray) -> np.ndarray:
        # nan-aware: members leave the first in-sample values unfitted in different ways.
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN step stays NaN
            if self.how == "median":
                return np.asarray(np.nanmedian(stacked, axis=0))
            return np.asarray(np.nanmean(stacked, axis=0))
