"""What tonight's plan and rules read of earlier orders: our own orders not yet in the
extract (they count as on order) and the history the exception rules compare with.

Decimal at the storage edge, floats in the pure core (docs/frames.md): the frames come
out with the columns `purchasing` declares.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd

from domain.nightly import Plan
from flags.rules.history import HISTORY_COLUMNS
from flags.rules.orders import ORDER_HISTORY_COLUMNS
from purchasing.position import OWN_ORDER_COLUMNS
from storage.own_orders import own_order_lines
from storage.unit_of_work import UnitOfWork


def own_orders(uow_factory: Callable[[], UnitOfWork], as_of: date) -> pd.DataFrame:
    """Our orders the extract may not show yet: a rerun or the next night never buys again
    what is already ordered or waiting."""
    with uow_factory() as uow:
        return pd.DataFrame(own_order_lines(uow.session, as_of), columns=OWN_ORDER_COLUMNS)


def key_revision(uow_factory: Callable[[], UnitOfWork], as_of: date) -> int:
    """The revision tonight's keys carry: 1, plus one per rollback of a run of this night.

    A night rolled back and run again must propose afresh: its old keys are withdrawn or
    cancelled here and kept by the ERP, so the rerun's orders need keys of their own
    (`purchasing.orders.po_key`). Without a rollback a rerun keeps the night's keys, and
    an order already proposed is recognised and left alone.
    """
    with uow_factory() as uow:
        return 1 + uow.rollbacks.count_for_night(as_of)


def supplier_history(
    uow_factory: Callable[[], UnitOfWork], planned: Plan, per_pair: int
) -> pd.DataFrame:
    """Earlier placed orders of tonight's suppliers at their locations (unusual-order rule)."""
    orders = planned.orders
    pairs = list(orders[["supplier_id", "location"]].drop_duplicates().itertuples(False, None))
    before = orders["order_date"].min() if len(orders) else None
    with uow_factory() as uow:
        rows = uow.orders.recent_orders(
            pairs, per_pair, before=None if before is None else pd.Timestamp(before).date()
        )
    history = pd.DataFrame(rows, columns=ORDER_HISTORY_COLUMNS)
    return history.astype({"value": float, "line_count": float})


def item_history(
    uow_factory: Callable[[], UnitOfWork], planned: Plan, per_item: int
) -> pd.DataFrame:
    """Earlier order lines of tonight's item-locations, for the rules comparing with them."""
    ordered = planned.lines.loc[planned.lines["po_key"].notna(), ["sku", "location"]]
    keys = list(ordered.drop_duplicates().itertuples(index=False, name=None))
    before = planned.orders["order_date"].min() if len(planned.orders) else None
    with uow_factory() as uow:
        rows = uow.orders.recent_lines(
            keys, per_item, before=None if before is None else pd.Timestamp(before).date()
        )
    history = pd.DataFrame(rows, columns=HISTORY_COLUMNS)
    # Decimal at the storage edge, floats in the pure core (docs/frames.md).
    return history.astype({"quantity": float, "unit_cost": float})
