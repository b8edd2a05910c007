"""Plan, flag and propose: from clean inputs and the forecast to stored purchase orders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from approvals.lifecycle import OrderStatus
from approvals.routing import ROUTING_COLUMNS, route_orders
from dataquality import ValidationResult
from flows.identity import NIGHTLY
from forecasting import ForecastResult
from purchasing import (
    FlagRules,
    PolicyParams,
    flag_orders,
    group_orders,
    hold_flagged_lines,
    order_decisions,
    plan_lines,
)
from purchasing.position import OWN_ORDER_COLUMNS
from purchasing.review_capacity import apply_review_capacity
from purchasing.review_rules_history import HISTORY_COLUMNS
from purchasing.review_rules_orders import ORDER_HISTORY_COLUMNS
from replenish.bootstrap import Services
from storage import records
from storage.orders import utcnow
from storage.own_orders import own_order_lines


@dataclass(frozen=True)
class Plan:
    lines: pd.DataFrame
    orders: pd.DataFrame


@dataclass(frozen=True)
class Review:
    plan: Plan
    flags: pd.DataFrame
    decisions: pd.Series
    approvers: pd.Series
    # Per po_key: approver, second_approver, deputy, required_approvals, tier, deadline_hours.
    routing: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ROUTING_COLUMNS))


@dataclass
class Proposed:
    created: list[str] = field(default_factory=list)
    already_known: dict[str, str] = field(default_factory=dict)


@task(name="record-forecasts", cache_policy=NO_CACHE)
def record_forecasts(
    services: Services, run_id: str, result: ForecastResult, items: pd.DataFrame | None = None
) -> None:
    """Keep each series' class, model and distribution: the 'why' behind every quantity;
    with the item's supplier and category, the segments monitoring compares by."""
    summary = result.summary
    if items is not None:
        segments = items[["sku", "location", "supplier_id", "category"]].drop_duplicates(
            ["sku", "location"]
        )
        # The columns' sizes (storage.models.Forecast): a grouping label, not a record.
        segments = segments.assign(
            supplier_id=segments["supplier_id"].astype(str).str.slice(0, 64),
            category=segments["category"].astype(str).str.slice(0, 128),
        )
        summary = summary.merge(segments, on=["sku", "location"], how="left")
    with services.uow() as uow:
        rows = records.forecast_rows(summary, result.path, result.history)
        uow.runs.add_forecasts(run_id, rows)
        uow.commit()


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
    a rerun or the next night never buys again what is already ordered or waiting.
    """
    tables = checked.tables
    own = None
    if services is not None:
        with services.uow() as uow:
            own = pd.DataFrame(own_order_lines(uow.session, as_of), columns=OWN_ORDER_COLUMNS)
    lines = plan_lines(
        result.summary,
        tables["items"],
        tables["stock"],
        tables["open_orders"],
        as_of=as_of,
        params=params,
        own_orders=own,
    )
    orders, lines = group_orders(lines, tables["suppliers"], as_of=as_of, params=params)
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
        history=_order_history(services, planned, rules.history_orders),
        order_history=_supplier_history(services, planned, rules.order_history_orders),
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


def _supplier_history(services: Services, planned: Plan, per_pair: int) -> pd.DataFrame:
    """Earlier placed orders of tonight's suppliers at their locations (unusual-order rule)."""
    orders = planned.orders
    pairs = list(orders[["supplier_id", "location"]].drop_duplicates().itertuples(False, None))
    before = orders["order_date"].min() if len(orders) else None
    with services.uow() as uow:
        rows = uow.orders.recent_orders(
            pairs, per_pair, before=None if before is None else pd.Timestamp(before).date()
        )
    history = pd.DataFrame(rows, columns=ORDER_HISTORY_COLUMNS)
    return history.astype({"value": float, "line_count": float})


def _order_history(services: Services, planned: Plan, per_item: int) -> pd.DataFrame:
    """Earlier order lines of tonight's item-locations, for the rules comparing with them."""
    ordered = planned.lines.loc[planned.lines["po_key"].notna(), ["sku", "location"]]
    keys = list(ordered.drop_duplicates().itertuples(index=False, name=None))
    before = planned.orders["order_date"].min() if len(planned.orders) else None
    with services.uow() as uow:
        rows = uow.orders.recent_lines(
            keys, per_item, before=None if before is None else pd.Timestamp(before).date()
        )
    history = pd.DataFrame(rows, columns=HISTORY_COLUMNS)
    # Decimal at the storage edge, floats in the pure core (docs/frames.md).
    return history.astype({"quantity": float, "unit_cost": float})


@task(name="propose", cache_policy=NO_CACHE)
def propose(services: Services, run_id: str, review: Review) -> Proposed:
    """Store new orders with their decision; an order already known for this key is left alone."""
    outcome = Proposed()
    planned = review.plan
    ordered = planned.lines[planned.lines["order_qty"] > 0]
    with services.uow() as uow:
        outcome.already_known = uow.orders.statuses(planned.orders["po_key"])
        for proposal in records.proposals(planned.orders, ordered, review.flags):
            key = proposal.order["po_key"]
            if key in outcome.already_known:
                continue
            decision = OrderStatus(review.decisions[key])
            pending = decision is OrderStatus.PENDING_REVIEW
            order = {**proposal.order, **(_routed(review.routing.loc[key]) if pending else {})}
            uow.orders.add_proposal(run_id, order, proposal.lines, proposal.flags, NIGHTLY)
            reason = ", ".join(sorted({f["code"] for f in proposal.flags})) or "no flags"
            uow.orders.transition(key, decision, NIGHTLY, reason=reason)
            if decision is OrderStatus.AUTO_APPROVED:
                uow.orders.record_decision(key, decision.value, NIGHTLY, "no exception rule fired")
            outcome.created.append(key)
        uow.commit()
    if outcome.already_known:
        get_run_logger().info(
            "%d orders already proposed earlier for these keys; not created again",
            len(outcome.already_known),
        )
    return outcome


def _routed(routing: pd.Series) -> dict[str, object]:
    """What routing decided, kept on the order: the config may change while it waits."""
    return {
        "approver": routing["approver"],
        "second_approver": routing["second_approver"],
        "deputy": routing["deputy"],
        "required_approvals": int(routing["required_approvals"]),
        "routing_tier": routing["tier"],
        "decision_due_at": utcnow() + timedelta(hours=int(routing["deadline_hours"])),
    }
