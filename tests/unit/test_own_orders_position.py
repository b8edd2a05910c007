"""Our own orders count as on order until the extract's open orders show them."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from purchasing import plan_lines
from purchasing.position import OWN_ORDER_COLUMNS

AS_OF = pd.Timestamp("2024-01-05")


def items(*skus: str) -> pd.DataFrame:
    row: dict[str, Any] = {
        "location": "WH1", "supplier_id": "S1", "unit_cost": 1.0, "pack_size": 1, "moq": 0.0,
        "lead_time_days": 14.0, "lead_time_std_days": 0.0, "service_level": np.nan,
        "review_period_days": np.nan, "max_order_qty": np.nan, "category": "",
        "description": "", "active": True,
    }  # fmt: skip
    return pd.DataFrame([{**row, "sku": sku} for sku in skus])


def forecast(*skus: str, quantile: float = 100.0) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "sku": s,
                "location": "WH1",
                "demand_mean": 80.0,
                "demand_quantile": quantile,
                "service_level": 0.95,
            }
            for s in skus
        ]
    )


def own(*rows: tuple[str, str, float, str, bool]) -> pd.DataFrame:
    """(po_key, sku, quantity, expected_delivery, waiting) lines of our own orders."""
    frame = pd.DataFrame(
        [
            {
                "po_key": key,
                "external_ref": "",
                "sku": sku,
                "location": "WH1",
                "supplier_id": "S1",
                "quantity": qty,
                "expected_delivery": pd.Timestamp(due),
                "waiting": waiting,
            }
            for key, sku, qty, due, waiting in rows
        ]
    )
    return frame[OWN_ORDER_COLUMNS]


def open_orders(*refs: tuple[str, str, float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "order_ref": [r[0] for r in refs],
            "sku": [r[1] for r in refs],
            "location": "WH1",
            "quantity": [r[2] for r in refs],
            "due_date": pd.Timestamp("2024-01-12"),
            "supplier_id": "S1",
        }
    )


def plan(own_orders: pd.DataFrame | None, extract: pd.DataFrame | None = None) -> pd.DataFrame:
    stock = pd.DataFrame({"sku": ["A", "B", "C", "D"], "location": "WH1", "on_hand": 0.0})
    return plan_lines(
        forecast("A", "B", "C", "D"),
        items("A", "B", "C", "D"),
        stock.assign(as_of=pd.NaT),
        extract if extract is not None else open_orders(),
        as_of=AS_OF,
        own_orders=own_orders,
    ).set_index("sku")


def test_yesterdays_order_not_yet_in_the_extract_is_not_bought_again() -> None:
    before = plan(None)
    assert before.loc["A", "order_qty"] == 100.0
    after = plan(own(("RPL-20240104-S1-WH1", "A", 100.0, "2024-01-18", False)))
    assert after.loc["A", "order_qty"] == 0.0
    assert after.loc["A", "own_on_order"] == 100.0
    assert "our own orders not yet in the extract" in after.loc["A", "explanation"]
    assert after.loc["B", "order_qty"] == 100.0  # other items untouched


def test_demand_that_grew_tops_up_only_the_difference() -> None:
    lines = plan(own(("RPL-20240104-S1-WH1", "A", 60.0, "2024-01-18", False)))
    assert lines.loc["A", "order_qty"] == 40.0


def test_once_the_extract_shows_the_order_it_counts_once() -> None:
    key = "RPL-20240104-S1-WH1"
    extract = open_orders((key.lower(), "A", 70.0))  # partly received: the ERP knows best
    lines = plan(own((key, "A", 100.0, "2024-01-18", False)), extract)
    assert lines.loc["A", "on_order"] == 70.0
    assert lines.loc["A", "own_on_order"] == 0.0
    assert lines.loc["A", "order_qty"] == 30.0


def test_a_waiting_order_counts_a_delivered_one_does_not() -> None:
    lines = plan(
        own(
            ("RPL-20231201-S1-WH1", "B", 100.0, "2023-12-15", False),  # sent, long delivered
            ("RPL-20231220-S1-WH1-R", "C", 100.0, "2024-01-03", True),  # still waiting
            ("RPL-20240105-S1-WH1", "D", 100.0, "2024-01-19", True),  # tonight, rerun
        )
    )
    assert lines.loc["B", "order_qty"] == 100.0
    assert lines.loc["C", "order_qty"] == 0.0
    assert lines.loc["D", "order_qty"] == 0.0
