"""UNPRECEDENTED_STOCK: a target far above anything the item ever sold over its protection
interval is held for a buyer, with the target, the precedent and the money above it."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from flags import FlagRules, flag_orders
from purchasing import group_orders

AS_OF = pd.Timestamp("2024-01-05")
SUPPLIERS = pd.DataFrame({"supplier_id": ["S1"], "name": ["Acme"], "currency": ["EUR"]})
NO_QUARANTINE = pd.DataFrame({"sku": [], "location": [], "reasons": []}, dtype=object)


def flags_for(target: float, precedent: float, *, history: int = 700,
              demand_class: str = "lumpy", **rules: Any) -> pd.DataFrame:  # fmt: skip
    """One line ordering 2,080 units at 11.83 up to `target`, protection 10 + 7 days."""
    line: dict[str, Any] = {
        "sku": "SKU-37", "location": "STORE-01", "supplier_id": "S1", "order_qty": 2080.0,
        "unit_cost": 11.83, "on_hand": 5.0, "backorders": 0.0, "on_order": 0.0,
        "position": 5.0, "demand_mean": 36.9, "target": target, "lead_time_days": 10.0,
        "review_period_days": 7.0, "arriving_within_lead_time": 0.0,
        "lead_time_demand": 20.0, "category": "Tools",
    }  # fmt: skip
    line["line_value"] = round(line["order_qty"] * line["unit_cost"], 2)
    lines = pd.DataFrame([line]).assign(po_key=None)
    orders, keyed = group_orders(lines, SUPPLIERS, as_of=AS_OF)
    summary = pd.DataFrame({
        "sku": ["SKU-37"], "location": ["STORE-01"], "demand_class": [demand_class],
        "demand_mean": [36.9], "demand_std": [51.6], "precedent": [precedent],
        "history_periods": [history], "protection_periods": [17.0],
    })  # fmt: skip
    flags = flag_orders(keyed, orders, summary, NO_QUARANTINE, FlagRules(**rules))
    return flags[flags["code"] == "UNPRECEDENTED_STOCK"]


def test_a_target_far_above_the_precedent_is_held_with_its_numbers() -> None:
    flags = flags_for(target=2085.0, precedent=600.0)
    assert len(flags) == 1
    flag = flags.iloc[0]
    assert flag["severity"] == "high"
    assert "the target of 2085 units is 3.5 times the most this item ever sold here in any " \
        "17 days (600 units; limit 1.5x)" in flag["message"]  # fmt: skip
    # The order buys 1,485 units above the precedent: that is the money at stake.
    assert flag["money_at_stake"] == pytest.approx(1485 * 11.83)
    assert "1485 units (EUR 17,567.55) above that precedent" in flag["message"]
    assert FlagRules().holds(flags).all()


@pytest.mark.parametrize(
    ("target", "precedent", "history", "demand_class", "settings"),
    [
        (890.0, 600.0, 700, "lumpy", {}),  # 1.48x: within the factor
        (2085.0, 600.0, 60, "lumpy", {}),  # under four intervals of history: not judged
        (2085.0, 600.0, 700, "new", {}),  # new items keep their own rule
        (2085.0, 600.0, 700, "lumpy", {"unprecedented_stock_factor": 4.0}),
        (2085.0, 600.0, 700, "lumpy", {"unprecedented_stock": False}),
    ],
)
def test_not_held(
    target: float, precedent: float, history: int, demand_class: str, settings: dict[str, Any]
) -> None:
    flags = flags_for(target, precedent, history=history, demand_class=demand_class, **settings)
    assert flags.empty
