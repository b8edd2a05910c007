"""Plan, flag and propose: from clean inputs and the forecast to stored purchase orders."""

from __future__ import annotations

from datetime import date

import pandas as pd
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from approvals.routing import route_orders
from dataquality import ValidationResult
from domain.lifecycle import OrderStatus
from domain.nightly import Plan, Proposed, Review
from flags import FlagRules, flag_orders, hold_flagged_lines, order_decisions
from flags.capacity import apply_review_capacity
from flows.identity import NIGHTLY
from forecasting import ForecastResult
from purchasing import PolicyParams, group_orders, plan_lines
from replenish.bootstrap import Services
from services import order_history
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
    tables = checked.tables
    own, revision = None, 1
    if services is not None:
        own = order_history.own_orders(services.uow, as_of)
        revision = order_history.key_revision(services.uow, as_of)
    lines = plan_lines(
        result.summary,
        tables["items"],
        tables["stock"],
        tables["open_orders"],
        as_of=as_of,
        params=params,
        own_orders=own,
    )
    orders, lines = group_orders(
        lines, tables["suppliers"], as_of=as_of, params=params, revision=revision
    )
    # The supplier's name travels with the order to the e-mail and the review page.
    names = tables["suppliers"][["supplier_id", "name"]].drop_duplicates("supplier_id")
    orders = orders.merge(
        names.rename(columns={"name": "supplier_name"}), on="supplier_id", how="left"
    )
    get_run_logger().info(
        "Planned %d purchase orders with %d lines", len(orders), int((lines["order_qty"] > 0).sum())
    )
    return Plan(lines=lines, orders=orders)


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
    categories = checked.tables["items"][["sku", "location", "category"]]
    lines = planned.lines.merge(categories, on=["sku", "location"], how="left")
    flags = flag_orders(
        lines,
        planned.orders,
        result.summary,
        checked.quarantined_items,
        rules,
        history=order_history.item_history(services.uow, planned, rules.history_orders),
        order_history=order_history.supplier_history(
            services.uow, planned, rules.order_history_orders
        ),
        currencies=settings.currency,
    )
    ordered = lines[lines["order_qty"] > 0]
    first = route_orders(planned.orders, ordered, settings.approvals, settings.currency)
    flags = apply_review_capacity(flags, first["approver"], rules)
    if rules.hold_only_flagged_lines:
        orders, split_lines, flags = hold_flagged_lines(
            planned.orders, planned.lines, flags, rules.holds(flags)
        )
        planned = Plan(lines=split_lines, orders=orders)
    decisions = order_decisions(planned.orders, flags, rules).set_index("po_key")["decision"]
    lines = planned.lines.merge(categories, on=["sku", "location"], how="left")
    routing = route_orders(
        planned.orders, lines[lines["order_qty"] > 0], settings.approvals, settings.currency
    )
    pending = int((decisions == OrderStatus.PENDING_REVIEW.value).sum())
    get_run_logger().info("%d flags on %d of %d orders", len(flags), pending, len(planned.orders))
    return Review(
        plan=planned,
        flags=flags,
        decisions=decisions,
        approvers=routing["approver"],
        routing=routing,
    )


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
