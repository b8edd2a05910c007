"""How uncertain demand over the protection interval is: its spread and the quantile
purchasing orders up to.

Kept apart from the models because the spread and the distribution are a policy about
risk, not a forecast: a model gives a per-period mean and error, this turns them into
the number of units that covers an item's service level.
"""

from __future__ import annotations

import numpy as np

from forecasting.classify import DORMANT, INTERMITTENT, LUMPY, NEW

# Classes whose protection-interval demand is read from a count distribution: few,
# whole units, skewed to the right, where a normal curve would put mass below zero.
# That is the sporadic ones (the models' SPORADIC), the new and the dormant.
COUNT_CLASSES = (INTERMITTENT, LUMPY, NEW, DORMANT)

# Service levels are clipped inside (0, 1): a quantile at exactly 1 is infinite.
_SERVICE_LEVEL_BOUNDS = (1e-4, 1 - 1e-4)
_NEGLIGIBLE_MEAN = 1e-9


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
    # Imported here, not with the module: a flag rule (flags.rules.demand) uses this
    # function, the settings import every rule module, and reading them must not load scipy.
    from scipy import stats

    level = np.clip(np.nan_to_num(service_level, nan=0.5), *_SERVICE_LEVEL_BOUNDS)
    mean = np.clip(np.nan_to_num(mean, nan=0.0, posinf=0.0), 0.0, None)
    std = np.clip(np.nan_to_num(std, nan=0.0, posinf=0.0), 0.0, None)
    quantile = np.maximum(mean + stats.norm.ppf(level) * std, 0.0)

    variance = std**2
    # A mean too small to matter (underflowing the negative binomial's size to zero, so
    # its quantile to NaN) sells nothing.
    counted = count_like & (mean > _NEGLIGIBLE_MEAN)
    dispersed = counted & (variance > mean * (1 + 1e-9))
    poisson = counted & ~dispersed
    quantile[count_like & ~counted] = 0.0
    if poisson.any():
        quantile[poisson] = stats.poisson.ppf(level[poisson], mean[poisson])
    if dispersed.any():
        m, v = mean[dispersed], variance[dispersed]
        quantile[dispersed] = stats.nbinom.ppf(level[dispersed], m * m / (v - m), m / v)
    return np.where(level > 0.5, np.maximum(quantile, mean), quantile)
