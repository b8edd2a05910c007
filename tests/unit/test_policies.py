"""Ordering policies per item or category, on hand-checked numbers.

Every line: lead 14 + review 7 = 21 days, expected demand 21 (1 a day, 365 a year), the
95% quantile 30, pack 1, no MOQ; only the stock on hand and the policy change.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from purchasing import PolicyParams, plan_lines
from purchasing.item_policy import ItemPolicy
from purchasing.policies import economic_order_quantity

AS_OF = pd.Timestamp("2024-01-05")
EOQ_AT_4 = math.sqrt(2 * 365 * 50 / (0.25 * 4.0))  # 191.05: K 50, h 25% of cost 4

POLICIES = {
    "default": ItemPolicy(),
    "fixed50": ItemPolicy(kind="reorder_point", order_quantity="fixed", fixed_quantity=50),
    "fixed8": ItemPolicy(kind="reorder_point", order_quantity="fixed", fixed_quantity=8),
    "eoq": ItemPolicy(kind="reorder_point"),
    "minmax": ItemPolicy(kind="min_max", min_qty=15, max_qty=60),
}

CASES = [
    # (policy, on_hand, order_qty, why)
    ("default", 10.0, 20.0, "order up to the quantile: 30 - 10"),
    ("fixed50", 10.0, 50.0, "10 <= 30: one batch of 50 lifts the position above 30"),
    ("fixed8", 10.0, 24.0, "10 <= 30: ceil(20 / 8) = 3 batches of 8"),
    ("fixed50", 40.0, 0.0, "40 > 30: not due"),
    ("eoq", 10.0, math.ceil(EOQ_AT_4), "one EOQ of 191.05, rounded up to whole units"),
    ("minmax", 10.0, 50.0, "10 <= min 15: up to max 60"),
    ("minmax", 15.0, 45.0, "at the min counts as due"),
    ("minmax", 20.0, 0.0, "20 > min 15: not due"),
]


def plan(rows: list[dict[str, Any]], params: PolicyParams) -> pd.DataFrame:
    n = len(rows)
    items = pd.DataFrame(
        {
            "sku": [r["sku"] for r in rows], "location": "WH1", "supplier_id": "S1",
            "unit_cost": 4.0, "pack_size": 1, "moq": 0.0, "lead_time_days": 14.0,
            "lead_time_std_days": 0.0, "service_level": np.nan, "review_period_days": 7.0,
            "max_order_qty": np.nan, "category": [r.get("category", "") for r in rows],
            "description": "", "active": True,
        }
    )  # fmt: skip
    forecast = pd.DataFrame(
        {"sku": items["sku"], "location": "WH1", "demand_mean": [21.0] * n,
         "demand_quantile": [30.0] * n, "service_level": 0.95}
    )  # fmt: skip
    stock = pd.DataFrame(
        {"sku": items["sku"], "location": "WH1", "on_hand": [r["on_hand"] for r in rows],
         "as_of": pd.NaT}
    )  # fmt: skip
    no_orders = pd.DataFrame(columns=["order_ref", "sku", "location", "quantity", "due_date"])
    return plan_lines(forecast, items, stock, no_orders, as_of=AS_OF, params=params)


@pytest.mark.parametrize(("policy", "on_hand", "expected", "why"), CASES)
def test_policy_quantities(policy: str, on_hand: float, expected: float, why: str) -> None:
    params = PolicyParams(item_policies={"X": POLICIES[policy]})
    line = plan([{"sku": "X", "on_hand": on_hand}], params).iloc[0]
    assert line["order_qty"] == pytest.approx(expected), why
    assert line["policy"] == POLICIES[policy].kind


def test_the_same_cases_in_one_call_by_category() -> None:
    """Vectorised over a catalogue: each line finds its category's policy."""
    params = PolicyParams(category_policies=dict(POLICIES))
    rows = [{"sku": f"S{i}", "category": c[0], "on_hand": c[1]} for i, c in enumerate(CASES)]
    lines = plan(rows, params)
    assert lines["order_qty"].tolist() == pytest.approx([c[2] for c in CASES])


def test_item_policy_wins_over_category_and_unknown_category_is_default() -> None:
    params = PolicyParams(
        item_policies={"A": POLICIES["minmax"]}, category_policies={"Tools": POLICIES["fixed50"]}
    )
    lines = plan(
        [
            {"sku": "A", "category": "Tools", "on_hand": 10.0},
            {"sku": "B", "category": "Tools", "on_hand": 10.0},
            {"sku": "C", "category": "Other", "on_hand": 10.0},
        ],
        params,
    )
    assert lines["policy"].tolist() == ["min_max", "reorder_point", "order_up_to"]
    assert lines["order_qty"].tolist() == [50.0, 50.0, 20.0]


def test_policy_sentences() -> None:
    params = PolicyParams(item_policies={"R": POLICIES["fixed8"], "M": POLICIES["minmax"]})
    lines = plan([{"sku": "R", "on_hand": 10.0}, {"sku": "M", "on_hand": 20.0}], params)
    reorder, minmax = lines["explanation"].tolist()
    assert reorder.startswith(
        "Reorder-point policy (reorder at 30, fixed quantity 8): the position is at or below "
        "it, so order 3 x 8."
    )
    assert minmax.startswith(
        "Min/max policy (min 15, max 60): the position is above the min, so nothing is due."
    )


def test_economic_order_quantity() -> None:
    eoq = economic_order_quantity(
        np.array([365.0, 0.0, 1200.0]), np.array([50.0, 50.0, 25.0]),
        np.array([0.25, 0.25, 0.2]), np.array([4.0, 4.0, 0.0]),
    )  # fmt: skip
    assert eoq[0] == pytest.approx(EOQ_AT_4)
    assert np.isnan(eoq[1:]).all()  # no demand, or nothing to hold: undefined


@pytest.mark.parametrize(
    "bad",
    [
        {"kind": "min_max", "min_qty": 5},
        {"kind": "min_max", "min_qty": 50, "max_qty": 10},
        {"kind": "reorder_point", "order_quantity": "fixed"},
        {"kind": "periodic"},
        {"kind": "order_up_to", "typo": 1},
    ],
)
def test_incomplete_policies_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ItemPolicy(**bad)
