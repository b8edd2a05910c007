"""Forecasts + stock + supplier terms -> order lines and purchase orders.

The exception rules that decide which a person sees are in `flags`.

Pure functions over pandas frames (columns in docs/frames.md); no I/O, no orchestration.

The planning code (pandas, and through the forecast notes scipy's distributions) is
imported on first use of `plan_lines`, `group_orders`, ..., not with the package: the
settings import `PolicyParams`, and a command that only reads the settings or the
database must not import the planner.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.lazy_exports import lazy_exports

# Models only (pydantic): what the settings need.
from purchasing.item_policy import ItemPolicy
from purchasing.params import PolicyParams

if TYPE_CHECKING:
    from purchasing.orders import group_orders, po_key
    from purchasing.planning import plan_lines
    from purchasing.position import inventory_position
    from purchasing.quantities import (
        QuantitySteps,
        applied_constraints,
        order_quantity,
        quantity_steps,
    )
    from purchasing.simulation import SimulationResult, simulate

__all__ = [
    "ItemPolicy",
    "PolicyParams",
    "QuantitySteps",
    "SimulationResult",
    "applied_constraints",
    "group_orders",
    "inventory_position",
    "order_quantity",
    "plan_lines",
    "po_key",
    "quantity_steps",
    "simulate",
]

_LAZY = {
    "group_orders": "purchasing.orders",
    "po_key": "purchasing.orders",
    "plan_lines": "purchasing.planning",
    "inventory_position": "purchasing.position",
    "QuantitySteps": "purchasing.quantities",
    "applied_constraints": "purchasing.quantities",
    "order_quantity": "purchasing.quantities",
    "quantity_steps": "purchasing.quantities",
    "SimulationResult": "purchasing.simulation",
    "simulate": "purchasing.simulation",
}

__getattr__ = lazy_exports(__name__, _LAZY)
