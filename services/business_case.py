"""The business case before go-live: the redesigned workflow replayed over the extract's
history, night by night, beside the spreadsheet min/max it replaces.

One replay of the policy (`purchasing.replay`, the same as `replenish simulate`) over
the last `weeks` of history gives the stock and open orders of every item-location on
every replayed night; each night then goes through the nightly plan, flag and route
code (`services.business_case_nights`), which says what would have been auto-approved
and what would have reached a person. The service figures and the inventory saving at
equal fill come from the same replay and the spreadsheet's (`purchasing.service_curve`).
Every figure is defined in docs/business-case.md.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date

import numpy as np

from dataquality import ValidationResult
from purchasing.position import KEYS
from purchasing.replay_rules import ReplaySetup
from purchasing.service_curve import DEFAULT_TARGETS
from purchasing.simulation import replay_inputs
from services.business_case_figures import equal_fill, sum_nights, weekly
from services.business_case_model import BusinessCase
from services.business_case_nights import NightHistory, NightInputs, NightRecorder, replay_night
from services.business_case_replay import measured_curve, replay_baseline, replay_policy
from settings import Settings

DAYS_PER_WEEK = 7
# Weeks replayed before the first night and left out of every figure: the replay opens
# with every item-location at its target at once, and the stock takes this long to
# settle into its weekly rhythm (docs/business-case.md).
WARM_UP_WEEKS = 4


def build_business_case(
    checked: ValidationResult,
    settings: Settings,
    *,
    as_of: date,
    weeks: int,
    minutes_per_decision: float,
    estimates: str = "trailing",
) -> BusinessCase:
    """Replay the last `weeks` of history as nights of the redesigned workflow."""
    started = time.perf_counter()
    policy = settings.policy.model_copy(update={"simulation_estimates": estimates})
    days = settings.forecast.days_per_period
    every = max(1, round(DAYS_PER_WEEK / days))
    tables = checked.tables
    setup, history = replay_inputs(
        tables["items"], tables["demand"], as_of=as_of, frequency=settings.forecast.frequency,
        days_per_period=days, params=policy, forecast_params=settings.forecast,
        last_periods=(weeks + WARM_UP_WEEKS) * every + 1,
    )  # fmt: skip
    setup = _on_nights(setup, every)
    first = max(setup.demand.shape[1] - weeks * every, 0)  # the first measured period
    recorder = NightRecorder()
    policy_series = replay_policy(setup, setup.terms.service_level, also=recorder)
    baseline_series = replay_baseline(setup)
    curve = measured_curve(setup, first, DEFAULT_TARGETS)

    active = tables["items"].loc[tables["items"]["active"].astype(bool)]
    inputs = NightInputs(
        items=history.keys.merge(active, on=KEYS, how="left"),
        classes=setup.series_classes(),
        first_period=history.first_period,
        protection=setup.terms.lead_periods + setup.terms.review_periods,
        sold=history.quantity,
        # The replay reviews each item on its own review nights, not on its supplier's
        # order days (docs/business-case.md); minimum order values still apply.
        suppliers=tables["suppliers"].assign(order_days=""),
        quarantined=checked.quarantined_items.iloc[0:0],
        policy=settings.policy,
        rules=settings.flags,
        routing=settings.approvals,
        currencies=settings.currency,
    )
    night_history = NightHistory()
    nights = []
    for review in (r for r in recorder.reviews if r.t >= first):
        night = history.periods[review.t].start_time.date()
        figures = replay_night(review, night, inputs, night_history)
        nights.append(
            figures.model_copy(update={"buyer_minutes": figures.decisions * minutes_per_decision})
        )
    totals = sum_nights(nights)
    dates = [p.start_time.date() for p in history.periods]
    ours, theirs = policy_series.figures(first), baseline_series.figures(first)
    return BusinessCase(
        as_of=as_of,
        currency=settings.currency.base,
        first_night=nights[0].night if nights else None,
        last_night=nights[-1].night if nights else None,
        weeks=weeks,
        estimates=estimates,
        item_locations=int((setup.terms.begin < setup.demand.shape[1]).sum()),
        minutes_per_decision=minutes_per_decision,
        nights=nights,
        totals=totals,
        auto_approved_line_share=_share(totals.auto_approved_lines, totals.lines)
        if totals else None,
        auto_approved_value_share=_share(totals.auto_approved_value, totals.value)
        if totals else None,
        buyer_hours=round(totals.buyer_minutes / 60, 2) if totals else 0.0,
        buyer_hours_checking_every_line=round(totals.lines * minutes_per_decision / 60, 2)
        if totals else 0.0,
        policy=ours,
        baseline=theirs,
        inventory_difference=round(theirs.avg_inventory_value - ours.avg_inventory_value, 2),
        equal_fill=equal_fill(curve),
        weekly=weekly(policy_series, baseline_series, dates, first, every),
        seconds=round(time.perf_counter() - started, 1),
    )  # fmt: skip


def _on_nights(setup: ReplaySetup, every: int) -> ReplaySetup:
    """Every series starts on a replayed night (a younger one on the first night after
    its start), so the items reviewed weekly are all reviewed on the same nights."""
    begin = setup.terms.begin
    if not begin.size:
        return setup
    start = int(begin.min())
    aligned = start + np.ceil((begin - start) / every).astype(np.int64) * every
    return replace(setup, terms=replace(setup.terms, begin=aligned))


def _share(part: float, whole: float) -> float | None:
    """part / whole, or None when there is nothing to share (not a zero)."""
    return round(float(part) / float(whole), 4) if whole else None


__all__ = ["build_business_case"]
