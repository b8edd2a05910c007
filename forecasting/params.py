"""Settings of the demand forecast, expressed in the periods the forecast runs at."""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Frequency = Literal["D", "W", "M"]

# Calendar days in one forecast period. Lead times and review periods arrive in days;
# dividing by this turns them into (fractional) forecast periods. A month is the mean
# Gregorian month so that a 30.4375-day lead time is exactly one monthly period.
DAYS_PER_PERIOD: dict[Frequency, float] = {"D": 1.0, "W": 7.0, "M": 30.4375}


def periods_in_days(days: float, frequency: Frequency, *, at_least: int = 1) -> int:
    """Whole periods covering `days`, so that thresholds keep their meaning in time
    whatever frequency the business chooses."""
    return max(at_least, math.ceil(days / DAYS_PER_PERIOD[frequency]))


def _min_history_default(data: dict[str, Any]) -> int:
    # Eight weeks of history: below that, neither a level nor a demand pattern can be
    # told from noise. Monthly is raised to three periods so a "mean of history" never
    # rests on one or two months.
    return periods_in_days(56, data.get("frequency", "D"), at_least=3)


def _dormant_default(data: dict[str, Any]) -> int:
    # Thirteen weeks (a quarter) without a sale: long enough that an ordinary slow mover
    # (a sale a month) is not taken for a dead one.
    return periods_in_days(91, data.get("frequency", "D"), at_least=2)


def _window_default(data: dict[str, Any]) -> float:
    # Four weeks of daily or weekly data; six months of monthly data, so the errors of
    # sums the quantile is calibrated on span more than one period (`forecasting.interval`).
    return 183.0 if data.get("frequency", "D") == "M" else 28.0


def _interval_history_default(data: dict[str, Any]) -> float:
    # A year of daily or weekly totals (every season once, recent enough to follow a
    # change of level); five years of monthly ones, so that a protection interval of a
    # year and a half still fits in the history more than twice.
    return 1826.0 if data.get("frequency", "D") == "M" else 365.0


class ForecastParams(BaseModel):
    """Policy knobs of the forecast. Frozen: one nightly run uses one set of settings."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    frequency: Frequency = "D"
    min_history_periods: int = Field(default_factory=_min_history_default, ge=1)
    dormant_periods: int = Field(default_factory=_dormant_default, ge=1)
    default_service_level: float = Field(default=0.95, gt=0.0, lt=1.0)
    default_review_period_days: float = Field(default=7.0, ge=0.0)
    # One-off spikes capped before fitting (`forecasting.cleansing`): a period above this
    # many times the median non-zero demand of its series, on series with at least
    # `spike_min_sales` selling periods. 0 turns it off.
    spike_cap_factor: float = Field(default=20.0, ge=0.0)
    spike_min_sales: int = Field(default=5, ge=1)
    # Model choice by rolling-origin backtest (`forecasting.selection`). Off: every
    # series gets the first model of its class's chain whose history it has.
    choose_by_backtest: bool = True
    # Windows of the choice's backtest, and their length in days (rounded up to whole
    # periods, at least one): two windows of four weeks; two of two weeks were too
    # noisy to tell sporadic models apart on the sample data.
    selection_windows: int = Field(default=2, ge=1)
    selection_window_days: float = Field(default_factory=lambda data: _window_default(data), gt=0.0)
    # At most this much history (days) per backtest fit: the cost of ETS grows with the
    # series length and a year shows every weekly and yearly pattern once; the final fit
    # still uses the whole history.
    selection_fit_days: float = Field(default=365.0, gt=0.0)
    # Relative RMSSE margin within which a simpler candidate counts as a tie and wins.
    selection_tie_margin: float = Field(default=0.02, ge=0.0)
    # How the service-level quantile of protection-interval demand is read:
    # "out_of_sample" (the default: errors of sums over the choice's backtest windows,
    # pooled per class, `forecasting.interval`), "parametric" (normal / negative
    # binomial on the in-sample fit, `forecasting.uncertainty`) or "conformal" (the
    # window totals normalised by the in-sample fit, `forecasting.conformal`). The two
    # calibrated ones need `choose_by_backtest` and at least `conformal_min_scores`
    # windows in a class; other rows keep the parametric quantile.
    sum_quantile: Literal["parametric", "conformal", "out_of_sample"] = "out_of_sample"
    conformal_min_scores: int = Field(default=30, ge=1)
    # How sporadic items' demand over the protection interval is read
    # (`forecasting.sporadic`): "own_totals" (the default) fits it to the item's own
    # interval totals over its last `interval_history_days` (mean and variance); "model"
    # keeps the model's mean and its per-period spread times P, which assumes independent
    # periods (the rule before issue 22; kept for comparison).
    sporadic_demand: Literal["own_totals", "model"] = "own_totals"
    interval_history_days: float = Field(
        default_factory=lambda data: _interval_history_default(data), gt=0.0
    )
    # How a sporadic item's protection quantile is read (`forecasting.interval_errors`):
    # "own_errors" (the default) adds to its level (P x its mean per period over the last
    # `interval_level_days`) the quantile of the errors that rule made at every origin of
    # its last `interval_history_days`; "negative_binomial" reads it from the totals'
    # mean and variance (before issue 22 point 5; it under-covered both tails). The mean
    # and spread the fill-rate lines use are the totals' in both.
    sporadic_quantile: Literal["own_errors", "negative_binomial"] = "own_errors"
    # Four weeks, and never fewer than three periods (a quarter of monthly data): on 40
    # windows cut from the M5 train file a level this recent kept a single window's
    # coverage within 4 points of nominal more often than a quarter's (45% / 28% of the
    # windows for intermittent / lumpy items, against 30% / 17%), on nominal on average
    # (benchmarks/README.md, "Calibration of sporadic quantiles").
    interval_level_days: float = Field(default=28.0, gt=0.0)
    # The plausibility guard (`forecasting.plausibility`): a protection-interval quantile
    # above this many times the largest demand the series ever had over an interval of
    # the same length (or a non-finite one) is rejected and its line held for a person.
    plausible_multiple: float = Field(default=5.0, gt=1.0)
    # CPU-seconds a night may spend on the statistical models (`forecasting.candidates`
    # estimates the cost of each candidate set from the series count): with
    # `candidate_set = "auto"` the full automatic searches and their combination are
    # used where they fit in it (monthly and weekly catalogues of ordinary size), the
    # fixed fast forms elsewhere (long daily catalogues). "fast" / "full" force one.
    compute_budget_s: float = Field(default=1800.0, gt=0.0)
    candidate_set: Literal["auto", "fast", "full"] = "auto"
    # Where the model calls run (`integrations.dask_cluster`): None in this process; a
    # Dask scheduler address ("tcp://host:8786") for an existing cluster; "local" or
    # "local:N" for N worker processes on this machine. The forecasts are the same.
    dask_address: str | None = None

    @property
    def days_per_period(self) -> float:
        """Calendar days in one period of this forecast's frequency."""
        return DAYS_PER_PERIOD[self.frequency]
