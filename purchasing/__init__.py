"""Forecasts + stock + supplier terms -> order lines and purchase orders.

The exception rules that decide which a person sees are in `flags`.

Pure functions over pandas frames (columns in docs/frames.md); no I/O, no orchestration.
"""

from purchasing.item_policy import ItemPolicy
from purchasing.orders import group_orders, po_key
from purchasing.params import PolicyParams
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
