"""Flag a night's plan: what a person must see, with reasons, and who decides each order.

The use case behind the nightly `flag` stage. Routing runs before the review capacity
(each approver takes at most `flags.review_capacity` decisions, the largest stakes
first) and again after the split of flagged lines (`flags.hold_only_flagged_lines`),
which routes a review order with the order it came from. Last, the rollout mode of each
order (`approvals.rollout`) has its say: a shadow order is only recorded, a review-all
one waits for a person whatever the rules found.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from approvals.rollout import RolloutPolicy, apply_rollout
from approvals.routing import RoutingPolicy, route_orders
from dataquality import ValidationResult
from domain.nightly import Plan, Review
from flags import FlagRules, flag_orders, hold_flagged_lines, order_decisions
from flags.capacity import apply_review_capacity
from forecasting import ForecastResult
from purchasing.currency import Currencies
from services import order_history
from storage.unit_of_work import UnitOfWork


def flag_plan(
    uow: Callable[[], UnitOfWork],
    planned: Plan,
    checked: ValidationResult,
    result: ForecastResult,
    rules: FlagRules,
    routing: RoutingPolicy,
    currencies: Currencies,
    rollout: RolloutPolicy | None = None,
) -> Review:
    """The flags of every rule switched on, capped per approver, with each order's
    decision (ordinary or waiting for a person) and its approver.

    Raises `purchasing.currency.MissingExchangeRate` when a limit would be compared with
    an amount in a currency without a rate."""
    return review_plan(
        planned,
        checked.tables["items"],
        result.summary,
        checked.quarantined_items,
        rules,
        routing,
        currencies,
        history=order_history.item_history(uow, planned, rules.history_orders),
        order_history=order_history.supplier_history(uow, planned, rules.order_history_orders),
        rollout=rollout,
    )


def review_plan(
    planned: Plan,
    items: pd.DataFrame,
    forecast_summary: pd.DataFrame,
    quarantined_items: pd.DataFrame,
    rules: FlagRules,
    routing: RoutingPolicy,
    currencies: Currencies,
    *,
    history: pd.DataFrame,
    order_history: pd.DataFrame,
    rollout: RolloutPolicy | None = None,
) -> Review:
    """`flag_plan` on histories already read: the nightly run reads them from the
    database, the business case (`services.business_case`) from the nights it replayed
    before, so both decide and route with this one sequence (the business case replays
    the live mode: `rollout` None)."""
    categories = items[["sku", "location", "category"]]
    lines = planned.lines.merge(categories, on=["sku", "location"], how="left")
    flags = flag_orders(
        lines,
        planned.orders,
        forecast_summary,
        quarantined_items,
        rules,
        history=history,
        order_history=order_history,
        currencies=currencies,
    )
    first = route_orders(planned.orders, _ordered(lines), routing, currencies)
    flags = apply_review_capacity(flags, first["approver"], rules)
    if rules.hold_only_flagged_lines:
        orders, split_lines, flags = hold_flagged_lines(
            planned.orders, planned.lines, flags, rules.holds(flags)
        )
        planned = Plan(lines=split_lines, orders=orders)
    decisions = order_decisions(planned.orders, flags, rules).set_index("po_key")["decision"]
    lines = planned.lines.merge(categories, on=["sku", "location"], how="left")
    modes = (rollout or RolloutPolicy()).order_modes(planned.orders, lines)
    decisions = apply_rollout(decisions, modes)
    routed = route_orders(planned.orders, _ordered(lines), routing, currencies)
    return Review(
        plan=planned,
        flags=flags,
        decisions=decisions,
        approvers=routed["approver"],
        routing=routed,
        modes=modes,
    )


def _ordered(lines: pd.DataFrame) -> pd.DataFrame:
    """The lines that order something: the ones routing weighs."""
    return lines[lines["order_qty"] > 0]
