"""The candidates for sporadic items' demand over the protection interval, replayed side by
side on trailing estimates (what was known before each review, one year of it):

- "NB, per-period variance": the rule before issue 22, a negative binomial with variance
  P x sigma^2 (independent periods);
- "NB, own interval totals": the product's rule now (`forecasting.interval_totals`);
- "empirical totals": the item's own P-period and lead-time totals as they were;
- "bootstrap": Willemain, Smart & Schwarz (2004): zero/non-zero periods from a two-state
  Markov chain fitted to the item, sizes resampled from its own with jitter;
- "compound": independent occurrences at the item's rate, sizes resampled from its own.

The three sampled ones read their fill-rate level from the samples' loss function, with
the same allowance for lost sales as the product (`purchasing.service_measure`). Only
the sporadic series (intermittent and lumpy, which promise a fill rate) are scored;
every other series follows the product's rule. Judged by the fill rate realised against
the target and by the stock needed for a given fill rate, never by a forecast error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from benchmarks.policy_data import Extract

TARGETS = (0.5, 0.7, 0.8, 0.9, 0.95, 0.98)
SPORADIC = ("intermittent", "lumpy")
DRAWS = 300
CHUNK = 400  # sporadic rows sampled at once
MAX_SCORED = 1_500


def compare_candidates(extract: Extract) -> dict[str, Any]:
    from purchasing.replay_estimates import trailing_estimator
    from purchasing.replay_rules import baseline_totals, policy_totals, summarise
    from purchasing.simulation import replay_setup

    settings: Any = extract.settings
    policy = settings.policy.model_copy(update={"simulation_estimates": "trailing"})
    setup = replay_setup(
        extract.items, extract.demand, as_of=extract.as_of,
        frequency=settings.forecast.frequency,
        days_per_period=settings.forecast.days_per_period, params=policy,
    )  # fmt: skip
    classes = np.asarray(setup.series_classes()).astype(str)
    sporadic = np.isin(classes, SPORADIC)
    # At most MAX_SCORED sporadic series (every k-th): sampling 300 paths per series and
    # review costs minutes per thousand series; the others follow the product's rule.
    picked = np.flatnonzero(sporadic)
    step = max(1, int(np.ceil(picked.size / MAX_SCORED)))
    sporadic = np.zeros_like(sporadic)
    sporadic[picked[::step]] = True
    plain = trailing_estimator(setup.demand, setup.terms, setup.window)
    own = trailing_estimator(setup.demand, setup.terms, setup.window, sporadic)
    sampled = {"empirical totals": _empirical, "bootstrap": _bootstrap, "compound": _compound}
    curves: dict[str, list[dict[str, float]]] = {}
    for target in TARGETS:
        level = np.full(classes.size, target)
        figures = summarise(baseline_totals(setup, level), level, sporadic)
        curves.setdefault("spreadsheet min/max", []).append(_point(target, figures))
        for name, estimate in (
            ("NB, per-period variance", plain),
            ("NB, own interval totals", own),
        ):
            totals = policy_totals(_with(setup, estimate), level)
            curves.setdefault(name, []).append(_point(target, summarise(totals, level, sporadic)))
        for name, draw in sampled.items():
            totals = _sampled_totals(setup, plain, draw, sporadic, target)
            curves.setdefault(name, []).append(_point(target, summarise(totals, level, sporadic)))
    return {"curves": curves, "text": _text(curves, int(sporadic.sum()))}


def _with(setup: Any, estimate: Callable[..., Any]) -> Any:
    from dataclasses import replace

    return replace(setup, estimate=estimate)


def _point(target: float, figures: dict[str, Any]) -> dict[str, float]:
    return {"service_target": target, "fill_rate": round(float(figures["fill_rate"]), 4),
            "avg_inventory_value": float(figures["avg_inventory_value"])}  # fmt: skip


def _sampled_totals(setup: Any, plain: Any, draw: Any, sporadic: np.ndarray, target: float) -> Any:
    """The product's levels everywhere, the candidate's sampled level on sporadic rows."""
    from purchasing.replay import replay
    from purchasing.replay_levels import Levels, product_levels

    terms, clock = setup.terms, {"t": 0}
    rng = np.random.default_rng(11)

    def estimate(t: int, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        clock["t"] = t
        return plain(t, rows)

    def rule(rows: np.ndarray, mean: np.ndarray, std: np.ndarray) -> Levels:
        level = np.full(rows.size, target)
        base = product_levels(
            mean, std, lead_periods=terms.lead_periods[rows],
            lead_std_periods=terms.lead_std_periods[rows],
            review_periods=terms.review_periods[rows], service_level=level,
            count_like=sporadic[rows], fill_rate=sporadic[rows],
            lost_sales=not setup.backorder,
        ).up_to  # fmt: skip
        sampled = np.flatnonzero(sporadic[rows])
        for start in range(0, sampled.size, CHUNK):  # bounded memory: draws x periods
            mine = sampled[start : start + CHUNK]
            picked = rows[mine]
            t = clock["t"]
            history = setup.demand[picked, max(t - setup.window, 0) : t]
            lead, review = terms.lead_periods[picked], terms.review_periods[picked]
            whole, early = draw(history, lead + review, lead, rng)
            base[mine] = _sampled_level(whole, early, review / (lead + review), target,
                                        not setup.backorder)  # fmt: skip
        return Levels(base, base)

    return replay(setup.demand, terms, rule, estimate, backorder=setup.backorder, seed=setup.seed)


def _sampled_level(
    whole: np.ndarray, early: np.ndarray, share: np.ndarray, beta: float, lost: bool
) -> np.ndarray:
    """Lowest whole level whose sampled shortage per cycle keeps the fill rate: rows x
    draws of protection-interval (`whole`) and lead-time (`early`) totals."""
    allowed = (1 - beta) * whole.mean(axis=1) * share
    low, high = np.full(len(whole), -1.0), whole.max(axis=1) + 1
    for _ in range(40):
        middle = np.floor((low + high) / 2)
        short = (np.maximum(whole - middle[:, None], 0).mean(axis=1)
                 - np.maximum(early - middle[:, None], 0).mean(axis=1))  # fmt: skip
        ok = short <= allowed + 1e-12
        high, low = np.where(ok, middle, high), np.where(ok, low, middle)
        if (high - low <= 1).all():
            break
    if lost:  # what goes unserved during the lead time need not be held
        high = np.round(high - (1 - beta) * early.mean(axis=1))
    return np.maximum(high, 0.0)


def _empirical(history: np.ndarray, periods: np.ndarray, lead: np.ndarray, rng: Any) -> Any:
    """Every window of the history, as it was (rows padded by repeating their windows)."""
    span = history.shape[1]
    cumulative = np.concatenate([np.zeros((len(history), 1)), np.cumsum(history, axis=1)], 1)
    starts = (rng.random((len(history), DRAWS)) * (span - periods[:, None])).astype(int)
    rows = np.arange(len(history))[:, None]
    whole = cumulative[rows, starts + periods[:, None]] - cumulative[rows, starts]
    early = cumulative[rows, starts + lead[:, None]] - cumulative[rows, starts]
    return whole, early


def _paths(history: np.ndarray, periods: np.ndarray, lead: np.ndarray, occur: np.ndarray) -> Any:
    """Totals over each row's protection interval and lead time of sampled paths (rows x
    draws x periods of occurrence flags `occur`, sizes resampled from the history)."""
    rng = np.random.default_rng(5)
    sold = history > 0
    counts = np.maximum(sold.sum(axis=1), 1)
    sizes = -np.sort(-np.where(sold, history, 0.0), axis=1)  # the row's sizes first
    pick = (rng.random(occur.shape) * counts[:, None, None]).astype(int)
    size = np.take_along_axis(sizes[:, :, None], pick.reshape(len(history), -1, 1), 1)
    size = size.reshape(occur.shape)
    steps = np.arange(occur.shape[2])[None, None, :]
    values = np.where(occur & (sold.any(axis=1)[:, None, None]), size, 0.0)
    whole = (values * (steps < periods[:, None, None])).sum(axis=2)
    early = (values * (steps < lead[:, None, None])).sum(axis=2)
    return whole, early, values, rng


def _compound(history: np.ndarray, periods: np.ndarray, lead: np.ndarray, rng: Any) -> Any:
    rate = (history > 0).mean(axis=1)
    occur = rng.random((len(history), DRAWS, int(periods.max()))) < rate[:, None, None]
    whole, early, _, _ = _paths(history, periods, lead, occur)
    return whole, early


def _bootstrap(history: np.ndarray, periods: np.ndarray, lead: np.ndarray, rng: Any) -> Any:
    sold = history > 0
    before, after = sold[:, :-1], sold[:, 1:]
    start = ((~before) & after).sum(1) / np.maximum((~before).sum(1), 1)
    stay = (before & after).sum(1) / np.maximum(before.sum(1), 1)
    occur = np.zeros((len(history), DRAWS, int(periods.max())), dtype=bool)
    state = np.repeat(sold[:, -1:], DRAWS, axis=1)
    for step in range(occur.shape[2]):  # one step per period of the interval, all rows at once
        chance = np.where(state, stay[:, None], start[:, None])
        state = rng.random(state.shape) < chance
        occur[:, :, step] = state
    _, _, values, jitter = _paths(history, periods, lead, occur)
    # Willemain's jitter: a resampled size X becomes 1 + int(X + z sqrt(X)), never below 1.
    noise = jitter.standard_normal(values.shape) * np.sqrt(values)
    values = np.where(values > 0, np.maximum(1.0, np.floor(values + noise + 0.5)), 0.0)
    steps = np.arange(values.shape[2])[None, None, :]
    whole = (values * (steps < periods[:, None, None])).sum(axis=2)
    early = (values * (steps < lead[:, None, None])).sum(axis=2)
    return whole, early


def _text(curves: dict[str, list[dict[str, float]]], series: int) -> list[str]:
    from purchasing.service_curve import inventory_at_fill

    out = [
        f"distribution candidates, {series} sporadic series, trailing estimates (one year):",
        "  candidate                  fill at 0.80 / 0.90 / 0.95   inventory for fill 0.90",
    ]
    for name, points in curves.items():
        fills = {p["service_target"]: p["fill_rate"] for p in points}
        need = inventory_at_fill(points, 0.90)
        out.append(
            f"  {name:26s} {fills[0.8]:.3f} / {fills[0.9]:.3f} / {fills[0.95]:.3f}"
            f"          {'n/a (never reaches it)' if need is None else f'{need:,.0f}'}"
        )
    return out
