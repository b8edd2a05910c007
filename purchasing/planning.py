"""Order lines from the periodic-review, order-up-to policy.

Each review, order enough to raise the inventory position to the service-level quantile
of demand over the protection interval (lead time + review period): the next chance to
order is one review period away, and what we order now lands one lead time from now.
"""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd

from contracts import frame_schemas as schemas
from purchasing.explanation import NO_FORECAST, Text, explain, quantity_text
from purchasing.forecast_notes import note_forecast
from purchasing.line_notes import constraint_inflation
from purchasing.params import PolicyParams
from purchasing.policies import policy_targets
from purchasing.position import KEYS, inventory_position, require_unique
from purchasing.quantities import applied_constraints, quantity_steps
from purchasing.service_targets import service_targets

# The explanation names are re-exported: other modules import them from here, where
# they lived before the explanation had a module of its own.
__all__ = [
    "LINE_COLUMNS",
    "NO_FORECAST",
    "Text",
    "as_of_day",
    "explain",
    "plan_lines",
    "quantity_text",
]

LINE_COLUMNS = [
    # the contract in docs/frames.md
    "sku", "location", "supplier_id", "po_key", "on_hand", "on_order", "backorders",
    "position", "demand_mean", "demand_quantile", "service_level", "safety_stock", "target",
    "raw_qty", "order_qty", "pack_size", "moq", "max_order_qty", "unit_cost", "line_value",
    "constraints", "explanation",
    # added here for grouping, flags and tracing
    "lead_time_days", "review_period_days", "lead_time_demand", "stock_missing",
    "past_due_qty", "arriving_within_lead_time", "hold", "constraint_inflation", "policy",
    "own_on_order",
    "service_measure",
    # the most ever sold over a window as long as the protection interval (forecast)
    "precedent",
]  # fmt: skip

_FORECAST_COLUMNS = [*KEYS, "demand_mean", "demand_quantile", "service_level"]
# Used for the fill-rate level when the forecast gives them (`purchasing.service_targets`),
# and the precedent a buyer compares the target with (UNPRECEDENTED_STOCK, review page).
_SPREAD_COLUMNS = ["demand_std", "demand_class", "precedent"]


def as_of_day(as_of: date | datetime | pd.Timestamp | str) -> pd.Timestamp:
    """The run date at midnight, the form every date in the frames takes."""
    return pd.Timestamp(as_of).normalize().as_unit("ns")


def plan_lines(
    forecast_summary: pd.DataFrame,
    items: pd.DataFrame,
    stock: pd.DataFrame,
    open_orders: pd.DataFrame,
    *,
    as_of: date | datetime | pd.Timestamp | str,
    params: PolicyParams | None = None,
    own_orders: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One line per active item-location (order_qty may be 0), each with its explanation.

    `own_orders` are the product's own order lines (purchasing.position.OWN_ORDER_COLUMNS):
    those the extract does not show yet count as on order, so nothing is bought twice.

    Lines with nothing to order are kept: the run summary and the audit trail must show
    that every active item was looked at, not only those that were bought.
    """
    params = params or PolicyParams()
    day = as_of_day(as_of)
    active = items.loc[items["active"].astype(bool)].reset_index(drop=True)
    require_unique(active, KEYS, "items")
    require_unique(forecast_summary, KEYS, "forecast summary")

    spread = [c for c in _SPREAD_COLUMNS if c in forecast_summary]
    lines = active.drop(columns=["service_level"], errors="ignore").merge(
        forecast_summary[[*_FORECAST_COLUMNS, *spread]], on=KEYS, how="left"
    )
    lines = lines.rename(columns={"service_level": "forecast_service_level"})
    if "precedent" not in lines:
        lines["precedent"] = np.nan
    lines["review_period_days"] = lines["review_period_days"].fillna(
        params.default_review_period_days
    )
    # The quantile was computed at the forecast's service level, so report that one; the
    # item/policy level only fills in when there is no forecast to state it.
    lines["service_level"] = (
        lines["forecast_service_level"]
        .fillna(active.get("service_level", np.nan))
        .fillna(params.default_service_level)
    )
    protection_days = lines["lead_time_days"] + lines["review_period_days"]
    horizon = (
        protection_days
        if params.open_order_horizon_days is None
        else pd.Series(params.open_order_horizon_days, index=lines.index)
    )
    position = inventory_position(
        lines, stock, open_orders, as_of=day, horizon_days=horizon,
        lead_time_days=lines["lead_time_days"], own_orders=own_orders,
    )  # fmt: skip
    lines = lines.join(position)
    # The level for each item's service measure: the forecast's quantile for a cycle
    # service level, the loss-function level for a fill rate.
    lines["service_measure"], lines["demand_quantile"] = service_targets(lines, params)

    lines["safety_stock"] = lines["demand_quantile"] - lines["demand_mean"]
    # Order-up-to by default; an item's or category's configured policy may set another
    # level (reorder point + batch, min/max), said in a sentence of its own.
    policy = policy_targets(lines, params)
    lines["policy"] = policy.kind
    lines["target"] = policy.target
    # Demand until an order placed today lands, for the stock-out check (share of the
    # protection interval that is lead time).
    lines["lead_time_demand"] = lines["demand_mean"] * lines["lead_time_days"] / protection_days
    steps = quantity_steps(
        lines["target"], lines["position"], lines["pack_size"], lines["moq"],
        lines["max_order_qty"],
    )  # fmt: skip
    lines["raw_qty"] = steps.raw
    lines["order_qty"] = steps.order_qty
    # Cents per line, so an order's value is exactly the sum of what its lines show.
    lines["line_value"] = (lines["order_qty"] * lines["unit_cost"]).round(2)
    lines["constraints"] = applied_constraints(steps)
    lines["po_key"] = None
    lines["explanation"] = explain(lines, steps)
    noted = (policy.note != "").to_numpy()
    if noted.any():
        lines.loc[noted, "explanation"] = policy.note[noted] + " " + lines.loc[noted, "explanation"]
    note_forecast(lines, forecast_summary)
    # Filled by the supplier terms applied when lines are grouped (order days, minimum
    # order value); "" = not held.
    lines["hold"] = ""
    lines["constraint_inflation"] = constraint_inflation(lines["order_qty"], lines["raw_qty"])
    return schemas.PLAN_LINES.check(lines[LINE_COLUMNS])  # checked where built
