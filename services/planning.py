"""Plan a night's orders: order-up-to quantities per item-location, grouped per supplier.

The use case behind the nightly `plan` stage. Our own orders the extract does not show
yet count as on order (with a unit of work), so a rerun or the next night never buys
again what is already ordered or waiting; a night rolled back and run again orders under
new keys (`key_revision`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from dataquality import ValidationResult
from domain.nightly import Plan
from forecasting import ForecastResult
from purchasing import PolicyParams, group_orders, plan_lines
from services import order_history
from storage.unit_of_work import UnitOfWork


def plan_orders(
    checked: ValidationResult,
    result: ForecastResult,
    as_of: date,
    params: PolicyParams,
    uow: Callable[[], UnitOfWork] | None = None,
) -> Plan:
    """Lines rounded to packs and MOQs, grouped into one order per supplier and location,
    each order carrying its supplier's name (for the e-mail and the review page)."""
    tables = checked.tables
    own, revision = None, 1
    if uow is not None:
        own = order_history.own_orders(uow, as_of)
        revision = order_history.key_revision(uow, as_of)
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
    names = tables["suppliers"][["supplier_id", "name"]].drop_duplicates("supplier_id")
    orders = orders.merge(
        names.rename(columns={"name": "supplier_name"}), on="supplier_id", how="left"
    )
    return Plan(lines=lines, orders=orders)
