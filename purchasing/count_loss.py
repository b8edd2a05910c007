"""Loss functions of count demand (Poisson, or negative binomial when the variance
exceeds the mean): E[(D - s)^+] at one level or at every level of a table, and the
lowest level whose cycle shortage stays within an allowance. Used by
`purchasing.service_measure` for the count-like demand classes.
"""

from __future__ import annotations

import numpy as np
from scipy import special

TAIL = 1e-7  # the count distributions are searched up to their 1 - TAIL quantile


def count_levels(
    mean: np.ndarray, std: np.ndarray, share: np.ndarray, allowed: np.ndarray
) -> np.ndarray:
    """Lowest whole level with cycle shortage <= allowed, from loss tables over 0..K.

    E[(D - s)^+] = sum over k >= s of P(D > k): one reverse cumulative sum of the
    survival function gives the loss at every level; the same for the lead-time part.
    """
    ceiling = int(np.max(np.ceil(mean + 12.0 * std + 10.0))) + 2
    k = np.arange(ceiling, dtype=float)
    lead = 1.0 - share
    whole = loss_table(k, mean, std**2)
    before = loss_table(k, mean * lead, std**2 * lead)
    shortage = np.maximum(whole - before, 0.0)
    ok = shortage <= allowed[:, None]
    found = ok.any(axis=1)
    return np.where(found, np.argmax(ok, axis=1), ceiling).astype(float)


def loss_table(k: np.ndarray, mean: np.ndarray, variance: np.ndarray) -> np.ndarray:
    """E[(D - s)^+] for s = each k (rows: series), Poisson or negative binomial.

    The probabilities come from the recursion p(j + 1) = p(j) (j + r) q / (j + 1)
    (Poisson: p(j) m / (j + 1)), a cumulative product, far cheaper than scipy's
    incomplete beta function on every cell.
    """
    m = np.maximum(mean, 1e-300)[:, None]
    dispersed = (variance > mean * (1 + 1e-9))[:, None]
    safe_v = np.where(dispersed[:, 0], variance, 2 * mean + 1.0)[:, None]
    r = m * m / (safe_v - m)
    q = 1.0 - m / safe_v
    j = k[None, :-1]
    ratio = np.where(dispersed, (j + r) * q / (j + 1.0), m / (j + 1.0))
    first = np.where(dispersed, r * np.log(m / safe_v), -m)  # log p(0)
    pmf = np.exp(first) * np.concatenate([np.ones((m.shape[0], 1)), np.cumprod(ratio, axis=1)], 1)
    survival = np.clip(1.0 - np.cumsum(pmf, axis=1), 0.0, 1.0)
    survival[mean <= 0] = 0.0
    # loss(s) = sum_{j >= s} P(D > j). What lies beyond the table is exactly the loss at
    # its end, E[(D - K - 1)^+], taken from the direct formula `fill_rate_of` uses, so the
    # table and the check never disagree (a geometric guess of that tail did, by a unit,
    # for very dispersed demand).
    beyond = np.full(mean.shape, k[-1] + 1.0)
    tail = np.where(mean > 0, count_loss(beyond, mean, variance), 0.0)
    return np.cumsum(survival[:, ::-1], axis=1)[:, ::-1] + tail[:, None]


def count_loss(level: np.ndarray, mean: np.ndarray, variance: np.ndarray) -> np.ndarray:
    s = np.floor(np.maximum(level, 0.0) + 1e-9)
    dispersed = variance > mean * (1 + 1e-9)
    upper = np.zeros(mean.shape)  # P(D >= s) = 1 - F(s - 1)
    upper_next = np.zeros(mean.shape)  # 1 - F'(s - 2)
    poisson = ~dispersed
    if poisson.any():
        m = mean[poisson]
        upper[poisson] = _poisson_sf(s[poisson] - 1, m)
        upper_next[poisson] = _poisson_sf(s[poisson] - 2, m)
    if dispersed.any():
        m, v = mean[dispersed], variance[dispersed]
        r, p = m * m / (v - m), m / v
        upper[dispersed] = _nbinom_sf(s[dispersed] - 1, r, p)
        upper_next[dispersed] = _nbinom_sf(s[dispersed] - 2, r + 1, p)
    return np.maximum(mean * upper_next - s * upper, 0.0)


# P(X > k) from the regularised incomplete functions directly: the same values as
# scipy.stats' sf, without its per-call argument checking (the replay calls this often).
def _poisson_sf(k: np.ndarray, mean: np.ndarray) -> np.ndarray:
    return np.where(k < 0, 1.0, special.gammainc(np.maximum(k, 0) + 1.0, mean))


def _nbinom_sf(k: np.ndarray, r: np.ndarray, p: np.ndarray) -> np.ndarray:
    return np.where(k < 0, 1.0, special.betainc(np.maximum(k, 0) + 1.0, r, 1.0 - p))


def count_ceiling(mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """A level above which the count distribution has (practically) no mass: 12 standard
    deviations out, plus, for a negative binomial, the length over which its geometric
    tail (ratio q) falls by another 1e-7."""
    variance = std**2
    high = mean + 12.0 * std + 10.0
    dispersed = (mean > 0) & (variance > mean * (1 + 1e-9))
    q = np.where(dispersed, 1.0 - mean / np.where(dispersed, variance, 1.0), 0.5)
    return high + np.where(dispersed, np.log(TAIL) / np.log(np.clip(q, 1e-12, 1 - 1e-12)), 0.0)
