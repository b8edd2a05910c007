"""Daily sample demand: a (day, series) matrix drawn per profile, split by channel.

Each profile is drawn as one block of arrays, so a large catalogue costs no Python
loop per series.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from cli.sample_data.arrays import IntArray
from cli.sample_data.catalogue import PROFILES

HISTORY_DAYS = 730
# `split_channels` returns one part per channel, in this order.
CHANNELS = ("pos", "web")
# Weekday factors (Mon..Sun): distribution centres ship on weekdays, the store peaks on
# Saturday. Normalised below so a series' level is its mean daily demand.
_WEEKLY = np.array(
    [
        [1.25, 1.15, 1.15, 1.1, 1.1, 0.2, 0.05],
        [1.2, 1.2, 1.1, 1.1, 1.15, 0.2, 0.05],
        [0.8, 0.8, 0.85, 0.9, 1.1, 1.6, 0.95],
    ]
)
_WEEKLY = _WEEKLY / _WEEKLY.mean(axis=1, keepdims=True)
# Web orders ship from the distribution centres; the store only sells over the counter.
_WEB_SHARE = np.array([0.35, 0.3, 0.0])  # per location, for items sold online at all


def demand_matrix(
    cat: pd.DataFrame, rng: np.random.Generator, first_weekday: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Daily demand as a (day, series) matrix, each profile drawn as one block of arrays.

    Also returns where the bulk orders are: they exist so that quantities of 1000 and
    more appear (a thousands separator needs one), and they come through one channel.
    """
    dows = (first_weekday + np.arange(HISTORY_DAYS)) % 7
    demand = np.zeros((HISTORY_DAYS, len(cat)), dtype=np.int64)
    bulk = np.zeros_like(demand, dtype=bool)
    profile = cat["profile"].to_numpy()
    loc = cat["loc_idx"].to_numpy()
    for name in PROFILES:
        cols = np.flatnonzero(profile == name)
        if len(cols) == 0 or name == "no_demand":
            continue
        weekly = _WEEKLY[loc[cols]][:, dows]
        if name in ("smooth", "seasonal"):
            block = _steady_demand(rng, weekly, seasonal=name == "seasonal")
        elif name == "new":
            block = _new_demand(rng, weekly)
        else:
            block, bulk_series, bulk_days = _sporadic_demand(rng, len(cols), lumpy=name == "lumpy")
            bulk[bulk_days, cols[bulk_series]] = True
        demand[:, cols] = block.T
    return demand, bulk


def _steady_demand(
    rng: np.random.Generator, weekly: npt.NDArray[np.float64], *, seasonal: bool
) -> IntArray:
    """Sold most days around a level with a weekly rhythm, a mild trend and maybe a season.

    A gamma multiplier on the Poisson rate makes the counts over-dispersed, as real sales
    are; the season is a yearly sine with its own amplitude and peak per series.
    """
    n = len(weekly)
    days = np.arange(HISTORY_DAYS)
    level = np.clip(rng.lognormal(np.log(4.0), 0.8, n), 1.5, 150.0)
    rate = level[:, None] * weekly
    rate *= 1.0 + rng.normal(0.0, 0.15, n)[:, None] * (days / HISTORY_DAYS - 0.5)
    if seasonal:
        amp = rng.uniform(0.3, 0.8, n)[:, None]
        phase = rng.uniform(0.0, 2 * np.pi, n)[:, None]
        rate *= 1.0 + amp * np.sin(2 * np.pi * days / 365.25 + phase)
    return rng.poisson(np.maximum(rate, 0.0) * rng.gamma(8.0, 1 / 8.0, rate.shape))


def _new_demand(rng: np.random.Generator, weekly: npt.NDArray[np.float64]) -> IntArray:
    """Steady sales that began 10 to 40 days ago: too little history for most models."""
    n = len(weekly)
    level = rng.lognormal(np.log(3.0), 0.7, n)
    age = rng.integers(10, 41, n)
    started = np.arange(HISTORY_DAYS) >= HISTORY_DAYS - age[:, None]
    return rng.poisson(level[:, None] * weekly) * started


def _sporadic_demand(
    rng: np.random.Generator, n: int, *, lumpy: bool
) -> tuple[IntArray, IntArray, IntArray]:
    """Rare sales: small and steady sizes (intermittent) or wildly varying ones (lumpy).

    Lumpy series also get a few bulk project orders of 1000-5000 units; returns the
    block and the (series, day) of those bulk orders.
    """
    p = rng.uniform(0.02, 0.1, n) if lumpy else rng.uniform(0.05, 0.2, n)
    rows, days = np.nonzero(rng.random((n, HISTORY_DAYS)) < p[:, None])
    block = np.zeros((n, HISTORY_DAYS), dtype=np.int64)
    if not lumpy:
        block[rows, days] = 1 + rng.poisson(rng.uniform(0.3, 2.0, n)[rows])
        return block, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    block[rows, days] = np.ceil(rng.lognormal(np.log(rng.uniform(3.0, 30.0, n)[rows]), 1.0))
    n_bulk = max(3, n // 8)
    bulk_series, bulk_days = rng.integers(0, n, n_bulk), rng.integers(0, HISTORY_DAYS, n_bulk)
    block[bulk_series, bulk_days] = rng.integers(1000, 5001, n_bulk)
    return block, bulk_series, bulk_days


def split_channels(
    demand: npt.NDArray[np.int64],
    bulk: npt.NDArray[np.bool_],
    cat: pd.DataFrame,
    rng: np.random.Generator,
) -> list[tuple[IntArray, IntArray, IntArray]]:
    """Non-zero (day, series, quantity) rows per channel, ordered by date then sku.

    Two fifths of the item-locations are not sold online; the rest sends a location's
    share of each day's units through the web shop (stochastic rounding: as realistic as a
    binomial draw here and several times faster). Bulk orders stay at the counter.
    """
    day, series = np.nonzero(demand)
    qty = demand[day, series]
    online = rng.random(len(cat)) >= 0.4
    share = np.where(online, _WEB_SHARE[cat["loc_idx"].to_numpy()], 0.0)[series]
    web = np.floor(qty * share + rng.random(len(qty))).astype(np.int64)
    web[bulk[day, series]] = 0
    out = []
    for part in (qty - web, web):
        keep = part > 0
        out.append((day[keep], series[keep], part[keep]))
    return out
