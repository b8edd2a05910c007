"""Forecasts + stock + supplier terms -> order lines, purchase orders and review flags.

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
from purchasing.review_flags import (
    AUTO_APPROVED,
    PENDING_REVIEW,
    FlagCode,
    flag_orders,
    order_decisions,
)
from purchasing.review_params import FlagRules
from purchasing.review_split import REVIEW_SUFFIX, hold_flagged_lines
from purchasing.simulation import SimulationResult, simulate

__all__ = [
    "AUTO_APPROVED",
    "PENDING_REVIEW",
    "REVIEW_SUFFIX",
    "FlagCode",
    "FlagRules",
    "ItemPolicy",
    "PolicyParams",
    "QuantitySteps",
    "SimulationResult",
    "applied_constraints",
    "flag_orders",
    "group_orders",
    "hold_flagged_lines",
    "inventory_position",
    "order_decisions",
    "order_quantity",
    "plan_lines",
    "po_key",
    "quantity_steps",
    "simulate",
]
