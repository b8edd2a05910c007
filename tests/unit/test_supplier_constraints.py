"""Supplier terms on the order as a whole: order days, minimum order value, inflation flag."""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flags import FlagRules, flag_orders
from purchasing import ItemPolicy, PolicyParams, group_orders, plan_lines
from purchasing.order_days import days_to_order_day, order_day_mask

FRIDAY = pd.Timestamp("2024-01-05")
NAN = np.nan


def planned(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return plan_lines_with(PolicyParams(), rows)


def plan_lines_with(params: PolicyParams, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Plan lines for items given as dicts (sku, supplier_id, demand_mean, quantile, ...)."""
    item_defaults: dict[str, Any] = {
        "location": "WH1", "supplier_id": "S1", "unit_cost": 1.0, "pack_size": 1, "moq": 0.0,
        "lead_time_days": 14.0, "lead_time_std_days": 0.0, "service_level": NAN,
        "review_period_days": 7.0, "max_order_qty": NAN, "category": "", "description": "",
        "active": True,
    }  # fmt: skip
    items = pd.DataFrame(
        [{**item_defaults, **{k: v for k, v in r.items() if k in item_defaults or k == "sku"}}
         for r in rows]
    )  # fmt: skip
    forecast = pd.DataFrame(
        {
            "sku": [r["sku"] for r in rows],
            "location": "WH1",
            "demand_mean": [r["mean"] for r in rows],
            "demand_quantile": [r.get("quantile", r["mean"]) for r in rows],
            "service_level": 0.95,
        }
    )
    stock = pd.DataFrame(
        {"sku": [r["sku"] for r in rows], "location": "WH1",
         "on_hand": [r.get("on_hand", 0.0) for r in rows], "as_of": pd.NaT}
    )  # fmt: skip
    no_orders = pd.DataFrame(columns=["order_ref", "sku", "location", "quantity", "due_date"])
    return plan_lines(forecast, items, stock, no_orders, as_of=FRIDAY, params=params)


def suppliers(**by_id: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"supplier_id": sid, "name": sid, "email": "", "min_order_value": 0.0,
             "order_days": "", "currency": "EUR", "lead_time_days": NAN, **terms}
            for sid, terms in by_id.items()
        ]
    )  # fmt: skip


@pytest.mark.parametrize(
    ("days", "after", "gap"),
    [
        ("Mon;Thu", 0, 3),  # Friday -> Monday
        ("Mon;Thu", 4, 6),  # Tuesday is not an order day -> Thursday
        ("Fri", 1, 7),
        ("Fri", 0, 0),
        ("", 2, 2),  # any day
        ("fri, sat", 1, 1),  # case and separators are forgiven
        ("someday", 3, 3),  # nothing readable: any day, never a silent stop
    ],
)
def test_days_to_the_next_order_day(days: str, after: int, gap: int) -> None:
    mask = order_day_mask(pd.Series([days]))
    assert days_to_order_day(mask, FRIDAY, np.array([after]))[0] == gap


def test_lines_are_held_on_other_days_and_stretched_to_the_next_order_day() -> None:
    lines = planned(
        [
            {"sku": "HELD", "supplier_id": "S1", "mean": 21.0},
            {"sku": "STOCKED", "supplier_id": "S1", "mean": 21.0, "on_hand": 100.0},
            {"sku": "WEEKLY", "supplier_id": "S2", "mean": 21.0},
            # review 1 day, but the supplier takes orders on Fridays only: the order must
            # last lead 14 + 7 days instead of 14 + 1: x 21/15 = 1.4 on the mean (15 -> 21)
            # and x sqrt(1.4) on the safety stock (5 -> 5.916): target 26.92, order 27.
            {"sku": "DAILY", "supplier_id": "S2", "mean": 15.0, "quantile": 20.0,
             "review_period_days": 1.0},
        ]
    )  # fmt: skip
    terms = suppliers(S1={"order_days": "Mon;Thu"}, S2={"order_days": "Fri"})
    orders, keyed = group_orders(lines, terms, as_of=FRIDAY)
    keyed = keyed.set_index("sku")

    assert keyed.loc["HELD", "order_qty"] == 0
    # What the policy would buy stays visible: ordered today, it would have to last until
    # Monday after next (review 7 days -> Friday, not an order day -> Monday: 10 days).
    assert keyed.loc["HELD", "raw_qty"] == pytest.approx(21 * 24 / 21)
    assert keyed.loc["HELD", "hold"] == "not_order_day"
    assert "not_order_day" in keyed.loc["HELD", "constraints"]
    assert "next order day is Mon 2024-01-08" in keyed.loc["HELD", "explanation"]
    assert keyed.loc["HELD", "po_key"] is None
    assert keyed.loc["STOCKED", "hold"] == ""  # nothing to buy, nothing to hold

    assert keyed.loc["WEEKLY", "order_qty"] == 21  # next Friday is exactly one review on
    assert keyed.loc["DAILY", "review_period_days"] == 7
    assert keyed.loc["DAILY", "target"] == pytest.approx(21 + 5 * math.sqrt(1.4))
    assert keyed.loc["DAILY", "order_qty"] == 27
    assert "stretched to the supplier's next order day" in keyed.loc["DAILY", "explanation"]
    assert orders["supplier_id"].tolist() == ["S2"]


def short_order() -> pd.DataFrame:
    """Worth 23 against a minimum of 40. Days of cover after ordering: A 21, B 21, C 50.

    A (cost 1) needs 21; B (cost 2) needs 1 (20 on hand); C (cost 5) needs nothing.
    One review period of demand is 7 units for A and B, 14 for C.
    """
    return planned(
        [
            {"sku": "A", "mean": 21.0},
            {"sku": "B", "mean": 21.0, "on_hand": 20.0, "unit_cost": 2.0},
            {"sku": "C", "mean": 42.0, "on_hand": 100.0, "unit_cost": 5.0},
        ]
    )


def test_short_order_is_topped_up_with_the_least_covered_lines() -> None:
    orders, keyed = group_orders(
        short_order(), suppliers(S1={"min_order_value": 40.0}), as_of=FRIDAY
    )
    keyed = keyed.set_index("sku")
    # A +7 (value 7 < 17 short) and B +7 (cumulative 21 >= 17): 23 + 7 + 14 = 44 >= 40.
    assert keyed["order_qty"].tolist() == [28.0, 8.0, 0.0]
    assert orders["value"].tolist() == [44.0]
    assert (
        "Raised by 7 to reach the supplier's minimum order value of 40.00"
        in (keyed.loc["A", "explanation"])
    )
    assert keyed.loc["B", "constraints"].endswith("min_order_value_top_up")
    assert keyed.loc["B", "constraint_inflation"] == 8.0
    assert (keyed["hold"] == "").all()


def test_short_order_is_held_when_configured() -> None:
    params = PolicyParams(min_order_action="hold")
    orders, keyed = group_orders(
        short_order(), suppliers(S1={"min_order_value": 40.0}), as_of=FRIDAY, params=params
    )
    keyed = keyed.set_index("sku")
    assert orders.empty
    assert keyed["order_qty"].tolist() == [0.0, 0.0, 0.0]
    assert keyed.loc[["A", "B"], "hold"].tolist() == ["below_min_order_value"] * 2
    assert (
        "Held: the order to S1 for WH1 is worth 23.00, below its minimum order value of 40.00"
        in (keyed.loc["A", "explanation"])
    )
    assert keyed.loc["C", "hold"] == ""  # it was not going to be ordered anyway


EMPTY_QUARANTINE = pd.DataFrame({"sku": [], "location": [], "reasons": []}, dtype=object)
NO_FORECAST = pd.DataFrame(columns=["sku", "location", "demand_class"])


@pytest.mark.parametrize("action", ["top_up", "review"])
def test_order_below_the_minimum_goes_to_a_buyer_as_planned(
    action: Literal["top_up", "review"],
) -> None:
    """A top-up that cannot reach the minimum (or `review`) proposes the planned order and
    flags it: never a silent hold that leaves the shelf to run empty."""
    terms = suppliers(S1={"min_order_value": 1_000_000.0 if action == "top_up" else 40.0})
    lines = short_order()
    orders, keyed = group_orders(
        lines, terms, as_of=FRIDAY, params=PolicyParams(min_order_action=action)
    )
    assert keyed["order_qty"].tolist() == lines["order_qty"].tolist()  # nothing topped up
    assert orders["value"].tolist() == [23.0]
    assert (keyed["hold"] == "").all()
    due = keyed["raw_qty"] > 0
    assert keyed.loc[due, "constraints"].str.contains("below_min_order_value").all()
    assert "For a buyer: the order to S1 for WH1 is worth 23.00" in keyed["explanation"].iloc[0]
    flags = flag_orders(keyed, orders, NO_FORECAST, EMPTY_QUARANTINE, FlagRules())
    minimum = flags.loc[flags["code"] == "BELOW_MIN_ORDER_VALUE"]
    assert len(minimum) == 1
    assert minimum["sku"].isna().all()
    assert minimum["money_at_stake"].tolist() == [23.0]
    floor = "1,000,000.00" if action == "top_up" else "40.00"
    assert (
        f"EUR 23.00 is below S1's minimum order value of EUR {floor}"
        in (minimum["message"].iloc[0])
    )
    off = FlagRules(below_min_order_value=False)
    assert "BELOW_MIN_ORDER_VALUE" not in set(
        flag_orders(keyed, orders, NO_FORECAST, EMPTY_QUARANTINE, off)["code"]
    )


def test_order_at_the_minimum_is_not_flagged() -> None:
    orders, keyed = group_orders(
        short_order(), suppliers(S1={"min_order_value": 23.0}), as_of=FRIDAY,
        params=PolicyParams(min_order_action="review"),
    )  # fmt: skip
    assert orders["value"].tolist() == [23.0]
    flags = flag_orders(keyed, orders, NO_FORECAST, EMPTY_QUARANTINE, FlagRules())
    assert "BELOW_MIN_ORDER_VALUE" not in set(flags["code"])


def test_constraint_inflation_is_recorded_and_flagged() -> None:
    lines = planned(
        [
            {"sku": "MOQ", "mean": 1.0, "moq": 100.0, "unit_cost": 2.0},  # need 1, buy 100
            {"sku": "FINE", "mean": 10.0, "pack_size": 12},  # need 10, buy 12
        ]
    )
    assert lines.set_index("sku")["constraint_inflation"].tolist() == [100.0, 1.2]
    orders, keyed = group_orders(lines, suppliers(S1={}), as_of=FRIDAY)
    empty = pd.DataFrame({"sku": [], "location": [], "reasons": []}, dtype=object)
    only = FlagRules(
        large_line_value=False, large_order_value=False, new_item=False, data_quality=False,
        stockout_risk=False, unusual_order=False, constraint_inflation_ratio=5.0,
        constraint_inflation_min_value=197.99,
    )  # fmt: skip
    flags = flag_orders(keyed, orders, pd.DataFrame(columns=["sku", "location"]), empty, only)
    assert flags["code"].tolist() == ["CONSTRAINT_INFLATION"]
    assert flags["sku"].tolist() == ["MOQ"]
    assert flags["money_at_stake"].tolist() == [198.0]  # 99 units too many at 2.00
    assert "100 times the 1 units needed" in flags["message"].iloc[0]
    off = only.model_copy(update={"constraint_inflation": False})
    assert flag_orders(keyed, orders, pd.DataFrame(columns=["sku", "location"]), empty, off).empty
    # an excess worth exactly the materiality limit is the price of buying in boxes
    cheap = only.model_copy(update={"constraint_inflation_min_value": 198.0})
    assert flag_orders(keyed, orders, pd.DataFrame(columns=["sku", "location"]), empty, cheap).empty


def test_min_max_lines_are_not_stretched_to_the_next_order_day() -> None:
    params = PolicyParams(item_policies={"MM": ItemPolicy(kind="min_max", min_qty=5, max_qty=9)})
    items = [{"sku": "MM", "supplier_id": "S2", "mean": 15.0, "review_period_days": 1.0}]
    lines = plan_lines_with(params, items)
    _, keyed = group_orders(lines, suppliers(S2={"order_days": "Fri"}), as_of=FRIDAY)
    assert keyed["order_qty"].tolist() == [9.0]
    assert keyed["review_period_days"].tolist() == [1.0]


line_terms = st.tuples(
    st.floats(0.0, 200.0),  # expected demand over the protection interval
    st.floats(0.0, 150.0),  # on hand
    st.integers(1, 24),  # pack size
    st.sampled_from([0.0, 10.0, 50.0]),  # MOQ
    st.floats(0.5, 40.0),  # unit cost
)


@pytest.mark.slow  # 60 plans and order groupings
@settings(max_examples=60, deadline=None)
@given(st.lists(line_terms, min_size=1, max_size=6), st.floats(0.0, 3000.0), st.booleans())
def test_minimum_order_value_properties(
    terms: list[tuple[float, float, int, float, float]], minimum: float, top_up: bool
) -> None:
    """Whatever the terms: quantities stay whole packs, a top-up never lowers a line, and
    an order goes out only when it reaches the supplier's minimum."""
    rows = [
        {"sku": f"I{i}", "mean": mean, "on_hand": on_hand, "pack_size": pack, "moq": moq,
         "unit_cost": round(cost, 2)}
        for i, (mean, on_hand, pack, moq, cost) in enumerate(terms)
    ]  # fmt: skip
    lines = planned(rows)
    params = PolicyParams(min_order_action="top_up" if top_up else "hold")
    orders, keyed = group_orders(
        lines, suppliers(S1={"min_order_value": minimum}), as_of=FRIDAY, params=params
    )
    qty = keyed["order_qty"].to_numpy()
    assert (qty >= 0).all()
    packs = qty / keyed["pack_size"].to_numpy()
    assert np.allclose(packs, np.round(packs))
    sent = qty > 0
    assert (qty[sent] >= lines["order_qty"].to_numpy()[sent]).all()
    if not top_up:
        assert (qty <= lines["order_qty"].to_numpy()).all()
        assert (orders["value"] >= minimum - 0.005).all()
    else:  # below the minimum only as planned and marked for a buyer, never topped up
        below = orders.loc[orders["value"] < minimum - 0.005, "po_key"]
        marked = keyed[keyed["po_key"].isin(below)]
        assert marked["constraints"].str.contains("below_min_order_value").all()
        assert (marked["order_qty"] == lines.loc[marked.index, "order_qty"]).all()
