"""Replay of a periodic-review ordering rule over history, all series at once.

The loop runs over time steps only; every step is numpy over all item-locations, so the
cost grows with the length of history, not with the catalogue times history in Python.

Each review sees only the past: its `Estimator` gives the per-period demand mean and
spread known before that period, from a trailing window (`purchasing.replay_estimates`,
what a spreadsheet has, and the policy's own reading of sporadic items) or from the
forecasting engine refitted every few periods (`purchasing.engine_estimates`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from purchasing.quantities import order_quantity
from purchasing.replay_levels import Levels

# rows reviewed, their per-period mean and std -> reorder / order-up-to levels
LevelRule = Callable[[np.ndarray, np.ndarray, np.ndarray], Levels]
# (period t, rows reviewed) -> their per-period mean and std, from what was known before t
Estimator = Callable[[int, np.ndarray], tuple[np.ndarray, np.ndarray]]
_UNMET_TOLERANCE = 1e-9
_NONE = np.zeros(0)
_NOT_REVIEWED = (np.zeros(0, dtype=np.int64), _NONE, _NONE, _NONE, _NONE, _NONE, _NONE)


@dataclass(frozen=True)
class SeriesTerms:
    """Per series, in periods of the demand matrix; `begin` is the first period replayed
    (a series with begin >= the number of periods is not replayed)."""

    begin: np.ndarray  # int
    lead_periods: np.ndarray  # int, planned lead time
    lead_std_periods: np.ndarray  # float
    review_periods: np.ndarray  # int >= 1
    service_level: np.ndarray
    unit_cost: np.ndarray
    pack_size: np.ndarray
    moq: np.ndarray
    max_qty: np.ndarray  # NaN = no cap


@dataclass(frozen=True)
class ReplayStep:
    """What one period of a replay did, for an observer (`replay(observe=...)`): the
    business case reads each night's reviews and the stock and service over time.

    Review fields cover the rows reviewed in period t (empty arrays when none); the
    whole-catalogue arrays are the replay's own and are overwritten next period, so an
    observer copies what it keeps.
    """

    t: int
    rows: np.ndarray  # reviewed in period t
    mean: np.ndarray  # their per-period demand estimate
    std: np.ndarray
    up_to: np.ndarray  # their order-up-to level
    on_hand: np.ndarray  # their stock when reviewed (after the period's receipts)
    on_order: np.ndarray  # their open orders when reviewed
    qty: np.ndarray  # what each ordered
    live: np.ndarray  # every series: replayed in period t
    asked: np.ndarray  # every series: demand of period t
    served: np.ndarray  # every series: served from stock in period t
    stock_value: np.ndarray  # every series: end-of-period stock at cost


@dataclass(frozen=True)
class ReplayTotals:
    """Per-series tallies of one replay; `simulation.summarise` turns them into figures."""

    demand: np.ndarray
    served: np.ndarray  # served from stock in the period it was asked for
    stockout_periods: np.ndarray
    inventory_value: np.ndarray  # sum over replayed periods of end-of-period stock at cost
    periods: np.ndarray  # replayed periods
    orders: np.ndarray
    cycles: np.ndarray  # complete replenishment cycles
    stockout_cycles: np.ndarray


def replay(
    demand: np.ndarray,
    terms: SeriesTerms,
    rule: LevelRule,
    estimate: Estimator,
    *,
    backorder: bool,
    seed: int = 0,
    observe: Callable[[ReplayStep], None] | None = None,
) -> ReplayTotals:
    """Step through `demand` (series x periods): receive, review and order, serve demand.

    An order placed at the start of period t arrives at the start of period t + lead, so the
    position after ordering covers demand of lead + review periods. A cycle is the review
    period that starts when an order lands; it fails when any demand in it goes unserved.
    `observe`, when given, is called at the end of every period with a `ReplayStep`.
    """
    n, horizon = demand.shape
    rng = np.random.default_rng(seed)
    pipeline = np.zeros((n, horizon + 1))  # column `horizon` collects arrivals after the end
    on_hand, on_order, backlog = np.zeros(n), np.zeros(n), np.zeros(n)
    failed_cycle = np.zeros(n, dtype=bool)
    tally = {name: np.zeros(n) for name in ReplayTotals.__dataclass_fields__}
    lead, review = terms.lead_periods, terms.review_periods

    for t in range(int(min(terms.begin.min(initial=horizon), horizon)), horizon):
        live = terms.begin <= t
        arriving = pipeline[:, t]
        on_hand += arriving
        on_order -= arriving
        if backorder:  # the oldest promises are kept first
            shipped = np.minimum(on_hand, backlog)
            on_hand -= shipped
            backlog -= shipped
        rows = np.flatnonzero(live & ((t - terms.begin) % review == 0))
        seen = _NOT_REVIEWED
        if rows.size:
            mean, std = estimate(t, rows)
            levels = rule(rows, mean, std)
            starting = terms.begin[rows] == t  # open with the stock the rule asks for
            on_hand[rows[starting]] = np.nan_to_num(levels.up_to[starting])
            position = on_hand[rows] + on_order[rows] - backlog[rows]
            target = np.where(position <= levels.reorder, levels.up_to, np.nan)
            qty = order_quantity(
                target, position, terms.pack_size[rows], terms.moq[rows], terms.max_qty[rows]
            )
            if observe is not None:
                seen = (rows, mean, std, levels.up_to, on_hand[rows], on_order[rows], qty)
            drawn = lead[rows] + rng.normal(0.0, 1.0, rows.size) * terms.lead_std_periods[rows]
            arrival = np.minimum(t + np.maximum(np.rint(drawn), 0).astype(np.int64), horizon)
            # A lead time under half a period lands before this period's demand; the
            # pipeline column for t has already been received, so it goes straight on hand.
            now = arrival == t
            on_hand[rows[now]] += qty[now]
            np.add.at(pipeline, (rows[~now], arrival[~now]), qty[~now])
            on_order[rows[~now]] += qty[~now]
            tally["orders"][rows] += qty > 0
        asked = np.where(live, demand[:, t], 0.0)
        served = np.minimum(on_hand, asked)
        on_hand -= served
        unmet = asked - served
        if backorder:
            backlog += unmet
        short = unmet > _UNMET_TOLERANCE
        tally["demand"] += asked
        tally["served"] += served
        tally["stockout_periods"] += short
        tally["inventory_value"] += np.where(live, on_hand * terms.unit_cost, 0.0)
        tally["periods"] += live
        in_cycle = live & (t >= terms.begin + lead)
        failed_cycle |= short & in_cycle
        ends = in_cycle & ((t - terms.begin - lead) % review == review - 1)
        tally["cycles"] += ends
        tally["stockout_cycles"] += ends & failed_cycle
        failed_cycle[ends] = False
        if observe is not None:
            stock_value = np.where(live, on_hand * terms.unit_cost, 0.0)
            observe(ReplayStep(t, *seen, live, asked, served, stock_value))
    return ReplayTotals(**tally)
