"""Plan, flag and propose: from clean inputs and the forecast to stored purchase orders."""

from __future__ import annotations

from datetime import date

import pandas as pd
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from dataquality import ValidationResult
from domain.lifecycle import OrderStatus
from domain.nightly import Plan, Proposed, Review
from flags import FlagRules
from flows.identity import NIGHTLY
from forecasting import ForecastResult
from purchasing import PolicyParams
from replenish.bootstrap import Services
from services.flagging import flag_plan
from services.planning import plan_orders
from services.proposals import propose_orders
from services.runs import record_forecasts as record_forecasts_of_run


@task(name="record-forecasts", cache_policy=NO_CACHE)
def record_forecasts(
    services: Services, run_id: str, result: ForecastResult, items: pd.DataFrame | None = None
) -> None:
    """Keep each series' class, model and distribution: the 'why' behind every quantity;
    with the item's supplier and category, the segments monitoring compares by."""
    record_forecasts_of_run(services.uow, run_id, result, items)


@task(name="plan", cache_policy=NO_CACHE)
def plan(
    checked: ValidationResult,
    result: ForecastResult,
    as_of: date,
    params: PolicyParams,
    services: Services | None = None,
) -> Plan:
    """Order-up-to quantities per item-location, rounded to packs and MOQs, grouped per supplier.

    Our own orders the extract does not show yet count as on order (with `services`), so
    a rerun or the next night never buys again what is already ordered or waiting; a
    night rolled back and run again orders under new keys (`key_revision`).
    """
    planned = plan_orders(checked, result, as_of, params, services.uow if services else None)
    ordering = int((planned.lines["order_qty"] > 0).sum())
    get_run_logger().info("Planned %d purchase orders with %d lines", len(planned.orders), ordering)
    return planned


@task(name="flag", cache_policy=NO_CACHE)
def flag(
    planned: Plan,
    checked: ValidationResult,
    result: ForecastResult,
    rules: FlagRules,
    services: Services,
) -> Review:
    """Mark what a person must see, with reasons; route each flagged order to its approver.

    Routing runs before the review capacity (each approver takes at most
    `flags.review_capacity` decisions, the largest stakes first) and again after the
    split, which routes a review order with the order it came from.
    """
    settings = services.settings
    review = flag_plan(
        services.uow, planned, checked, result, rules, settings.approvals, settings.currency,
        settings.rollout,
    )  # fmt: skip
    pending = int((review.decisions == OrderStatus.PENDING_REVIEW.value).sum())
    shadow = int((review.decisions == OrderStatus.SHADOW.value).sum())
    get_run_logger().info(
        "%d flags; %d of %d orders wait for a person, %d made in shadow (sent nowhere)",
        len(review.flags), pending, len(review.plan.orders), shadow,
    )  # fmt: skip
    return review


@task(name="propose", cache_policy=NO_CACHE)
def propose(services: Services, run_id: str, review: Review) -> Proposed:
    """Store new orders with their decision; an order already known for this key is left alone."""
    outcome = propose_orders(services.uow, run_id, review, NIGHTLY)
    if outcome.already_known:
        get_run_logger().info(
            "%d orders already proposed earlier for these keys; not created again",
            len(outcome.already_known),
        )
    return outcome
