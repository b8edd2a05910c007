"""Stock levels a review acts on: reorder when the position is at or below `reorder`, then
order up to `up_to`. Both the product's policy and the spreadsheet baseline take this form,
so the replay treats them alike and the comparison is about the levels, nothing else.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import stats

from forecasting.uncertainty import protection_quantile as forecast_quantile
from purchasing.service_measure import fill_rate_target

FloatArray = np.ndarray


class Levels(NamedTuple):
    reorder: FloatArray  # order when position <= reorder
    up_to: FloatArray  # ... enough to bring the position up to this


def protection_quantile(
    mean: FloatArray, variance: FloatArray, service_level: FloatArray
) -> FloatArray:
    """Service-level quantile of total demand over the protection interval.

    A gamma distribution with the given mean and variance: never below zero and skewed to
    the right like sporadic demand, yet close to the normal curve when demand is smooth, so
    one formula serves every demand class without a per-class switch. Zero mean gives 0
    (nothing expected, nothing held); zero variance gives the mean.
    """
    mean = np.asarray(mean, dtype=float)
    variance = np.asarray(variance, dtype=float)
    quantile = np.where(mean > 0, mean, 0.0)
    spread = (mean > 0) & (variance > 1e-12)
    if spread.any():
        m, v = mean[spread], variance[spread]
        level = np.clip(np.broadcast_to(service_level, mean.shape)[spread], 1e-4, 1 - 1e-4)
        quantile[spread] = stats.gamma.ppf(level, a=m * m / v, scale=v / m)
    return quantile


def order_up_to_levels(
    per_period_mean: FloatArray,
    per_period_std: FloatArray,
    *,
    lead_periods: FloatArray,
    lead_std_periods: FloatArray,
    review_periods: FloatArray,
    service_level: FloatArray,
) -> Levels:
    """The product's policy: order up to the service-level quantile over lead time + review.

    var = P*sigma^2 + (mu*sigma_L)^2: independent per-period demand over P periods, plus the
    usual allowance for a lead time that varies by sigma_L periods independently of demand.
    """
    mean, variance = _protection_demand(
        per_period_mean, per_period_std, lead_periods, lead_std_periods, review_periods
    )
    target = protection_quantile(mean, variance, service_level)
    return Levels(reorder=target, up_to=target)


def _protection_demand(
    per_period_mean: FloatArray,
    per_period_std: FloatArray,
    lead_periods: FloatArray,
    lead_std_periods: FloatArray,
    review_periods: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Mean and variance of demand over lead time + review (`order_up_to_levels`)."""
    protection = lead_periods + review_periods
    mean = protection * per_period_mean
    variance = protection * per_period_std**2 + (per_period_mean * lead_std_periods) ** 2
    return mean, variance


def min_max_baseline_levels(
    per_period_mean: FloatArray, *, lead_periods: FloatArray, review_periods: FloatArray
) -> Levels:
    """What a buyer with a spreadsheet sets: min = average x lead time, max = min + average
    x review period. No safety stock: it is the yardstick the product must beat."""
    low = per_period_mean * lead_periods
    return Levels(reorder=low, up_to=low + per_period_mean * review_periods)


def product_levels(
    per_period_mean: FloatArray,
    per_period_std: FloatArray,
    *,
    lead_periods: FloatArray,
    lead_std_periods: FloatArray,
    review_periods: FloatArray,
    service_level: FloatArray,
    count_like: FloatArray,
    fill_rate: FloatArray,
    quantile_cap: float = 0.995,
    lost_sales: bool = False,
) -> Levels:
    """The nightly run's own levels: order up to the forecast's quantile (normal, or
    negative binomial for count-like demand) for a cycle service level, or to the
    loss-function level for a fill rate (`purchasing.service_measure`), over the same
    protection interval and variance as `order_up_to_levels`."""
    protection = lead_periods + review_periods
    mean, variance = _protection_demand(
        per_period_mean, per_period_std, lead_periods, lead_std_periods, review_periods
    )
    std = np.sqrt(variance)
    level = np.broadcast_to(np.asarray(service_level, dtype=float), mean.shape)
    count = np.broadcast_to(np.asarray(count_like, dtype=bool), mean.shape)
    fill = np.broadcast_to(np.asarray(fill_rate, dtype=bool), mean.shape)
    share = np.broadcast_to(review_periods / np.maximum(protection, 1e-12), mean.shape)
    target = np.zeros(mean.shape)
    cycle = ~fill
    if cycle.any():
        target[cycle] = forecast_quantile(mean[cycle], std[cycle], level[cycle], count[cycle])
    if fill.any():
        target[fill] = fill_rate_target(
            mean[fill], std[fill], share[fill], level[fill], count[fill], quantile_cap,
            lost_sales=lost_sales,
        )  # fmt: skip
    return Levels(reorder=target, up_to=target)


def safety_baseline_levels(
    per_period_mean: FloatArray,
    per_period_std: FloatArray,
    *,
    lead_periods: FloatArray,
    review_periods: FloatArray,
    service_level: FloatArray,
) -> Levels:
    """The spreadsheet min/max with the textbook safety stock z x sigma x sqrt(lead time)
    added to both: how a buyer with a spreadsheet buys more service. At 50% (z = 0) it is
    the plain `min_max_baseline_levels`."""
    z = stats.norm.ppf(np.clip(np.asarray(service_level, dtype=float), 1e-4, 1 - 1e-4))
    safety = np.maximum(z, 0.0) * per_period_std * np.sqrt(lead_periods)
    plain = min_max_baseline_levels(
        per_period_mean, lead_periods=lead_periods, review_periods=review_periods
    )
    return Levels(reorder=plain.reorder + safety, up_to=plain.up_to + safety)
