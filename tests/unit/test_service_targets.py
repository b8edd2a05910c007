"""Planning orders up to the level of each line's service measure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from purchasing import ItemPolicy, PolicyParams, plan_lines
from purchasing.service_measure import fill_rate_level, fill_rate_of

AS_OF = pd.Timestamp("2024-01-05")


def plan(params: PolicyParams | None = None) -> pd.DataFrame:
    items = pd.DataFrame(
        {"sku": ["SLOW", "FAST"], "location": "WH1", "supplier_id": "S1", "unit_cost": 5.0,
         "pack_size": 1, "moq": 0.0, "lead_time_days": 14.0, "lead_time_std_days": 0.0,
         "service_level": np.nan, "review_period_days": 7.0, "max_order_qty": np.nan,
         "category": ["Spares", "Fasteners"], "description": "", "active": True}
    )  # fmt: skip
    forecast = pd.DataFrame(
        {"sku": ["SLOW", "FAST"], "location": "WH1", "demand_class": ["lumpy", "smooth"],
         "demand_mean": [0.6, 210.0], "demand_std": [1.5, 30.0],
         "demand_quantile": [3.0, 259.3], "service_level": 0.95}
    )  # fmt: skip
    stock = pd.DataFrame({"sku": ["SLOW", "FAST"], "location": "WH1", "on_hand": 0.0,
                          "as_of": pd.NaT})  # fmt: skip
    open_orders = pd.DataFrame(
        columns=["order_ref", "sku", "location", "quantity", "due_date", "supplier_id"]
    )
    lines = plan_lines(forecast, items, stock, open_orders, as_of=AS_OF, params=params)
    return lines.set_index("sku")


def test_a_lumpy_item_orders_up_to_its_fill_rate_level_a_smooth_one_to_its_quantile() -> None:
    lines = plan()
    assert lines.loc["SLOW", "service_measure"] == "fill_rate"
    assert lines.loc["FAST", "service_measure"] == "cycle_service_level"
    # the review is a third of the 21-day protection interval
    expected = fill_rate_level(np.array([0.6]), np.array([1.5]), np.array([1 / 3]),
                               np.array([0.95]), np.array([True]))  # fmt: skip
    assert lines.loc["SLOW", "target"] == expected[0] == 8.0
    assert lines.loc["FAST", "target"] == pytest.approx(259.3)
    achieved = fill_rate_of(np.array([8.0]), np.array([0.6]), np.array([1.5]),
                            np.array([1 / 3]), np.array([True]))  # fmt: skip
    assert achieved[0] >= 0.95
    assert "to serve 95% of demand from stock we need 8" in lines.loc["SLOW", "explanation"]
    assert "to cover 95% of outcomes we need" in lines.loc["FAST", "explanation"]


def test_the_item_or_category_policy_names_the_measure() -> None:
    params = PolicyParams(
        category_policies={"Spares": ItemPolicy(service_measure="cycle_service_level")},
        item_policies={"FAST": ItemPolicy(service_measure="fill_rate")},
    )
    lines = plan(params)
    assert lines.loc["SLOW", "service_measure"] == "cycle_service_level"
    assert lines.loc["SLOW", "target"] == 3.0  # the forecast's quantile
    assert lines.loc["FAST", "service_measure"] == "fill_rate"
    # a smooth item at 95% fill needs less than its 95% quantile
    assert lines.loc["FAST", "target"] < 259.3


def test_fill_rate_classes_are_a_setting() -> None:
    lines = plan(PolicyParams(fill_rate_classes=[]))
    assert set(lines["service_measure"]) == {"cycle_service_level"}
