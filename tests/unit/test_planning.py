"""Inventory position, order-up-to lines and purchase-order grouping on hand-checked tables."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import pytest

from purchasing import PolicyParams, group_orders, plan_lines, po_key

AS_OF = pd.Timestamp("2024-01-05")
NAN = np.nan


def items_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    defaults: dict[str, Any] = {
        "location": "WH1", "supplier_id": "S1", "unit_cost": 1.0, "pack_size": 1, "moq": 0.0,
        "lead_time_days": 14.0, "lead_time_std_days": 0.0, "service_level": NAN,
        "review_period_days": NAN, "max_order_qty": NAN, "category": "", "description": "",
        "active": True,
    }  # fmt: skip
    return pd.DataFrame([{**defaults, **row} for row in rows])


def forecast_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    defaults: dict[str, Any] = {
        "location": "WH1", "demand_class": "smooth", "model": "AutoETS", "fallback": None,
        "history_periods": 104, "service_level": 0.95, "fit_rmse": 1.0,
    }  # fmt: skip
    return pd.DataFrame([{**defaults, **row} for row in rows])


def stock_frame(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["sku", "location", "on_hand"])
    return frame.assign(as_of=pd.NaT)


def open_orders_frame(rows: list[tuple[str, str, float, str | None]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["sku", "location", "quantity", "due_date"])
    frame["due_date"] = pd.to_datetime(frame["due_date"])
    return frame.assign(order_ref=[f"PO{i}" for i in range(len(frame))], supplier_id="S1")


NO_ORDERS = open_orders_frame([])


def test_position_counts_backorders_past_due_and_horizon() -> None:
    items = items_frame([{"sku": "A"}, {"sku": "B"}, {"sku": "C"}])
    forecast = forecast_frame(
        [{"sku": s, "demand_mean": 10.0, "demand_quantile": 12.0} for s in "ABC"]
    )
    stock = stock_frame([("A", "WH1", 40.0), ("B", "WH1", -5.0)])  # no row for C
    open_orders = open_orders_frame(
        [
            ("A", "WH1", 10.0, "2024-01-01"),  # past due: counted and marked
            ("A", "WH1", 14.0, "2024-01-20"),  # day 15: after the lead time, within 21
            ("A", "WH1", 99.0, "2024-02-01"),  # day 27: beyond lead + review, ignored
            ("B", "WH1", 7.0, "2024-01-10"),
            ("Z", "WH1", 50.0, "2024-01-10"),  # not an active item-location
        ]
    )
    lines = plan_lines(forecast, items, stock, open_orders, as_of=AS_OF).set_index("sku")

    assert lines.loc["A", ["on_hand", "on_order", "past_due_qty", "backorders"]].tolist() == [
        40.0, 24.0, 10.0, 0.0,
    ]  # fmt: skip
    assert lines.loc["A", "position"] == 64.0
    assert lines.loc["A", "arriving_within_lead_time"] == 10.0
    assert lines.loc["B", ["on_hand", "backorders", "on_order", "position"]].tolist() == [
        0.0, 5.0, 7.0, 2.0,
    ]  # fmt: skip
    assert lines.loc["C", "stock_missing"]
    assert not lines.loc["A", "stock_missing"]
    assert lines.loc["C", "position"] == 0.0


def test_fixed_open_order_horizon() -> None:
    items = items_frame([{"sku": "A"}])
    forecast = forecast_frame([{"sku": "A", "demand_mean": 10.0, "demand_quantile": 12.0}])
    open_orders = open_orders_frame(
        [("A", "WH1", 5.0, "2024-01-08"), ("A", "WH1", 9.0, "2024-01-20")]
    )
    params = PolicyParams(open_order_horizon_days=5)
    lines = plan_lines(forecast, items, stock_frame([]), open_orders, as_of=AS_OF, params=params)
    assert lines["on_order"].tolist() == [5.0]


def test_duplicate_stock_rows_are_refused() -> None:
    items = items_frame([{"sku": "A"}])
    forecast = forecast_frame([{"sku": "A", "demand_mean": 10.0, "demand_quantile": 12.0}])
    stock = stock_frame([("A", "WH1", 4.0), ("A", "WH1", 4.0)])
    with pytest.raises(ValueError, match="stock"):
        plan_lines(forecast, items, stock, NO_ORDERS, as_of=AS_OF)


# sku, mean, quantile, on_hand, pack, moq, max, unit_cost -> safety, position, raw, qty, value
ORDER_UP_TO = [
    ("A", 140.0, 172.0, 64.0, 12, 0.0, NAN, 2.5, 32.0, 64.0, 108.0, 108.0, 270.0),
    ("B", 20.0, 30.2, 0.0, 1, 0.0, NAN, 1.1, 10.2, 0.0, 30.2, 31.0, 34.1),
    ("C", 30.0, 45.0, 0.0, 10, 100.0, NAN, 5.0, 15.0, 0.0, 45.0, 100.0, 500.0),
    ("D", 300.0, 400.0, 0.0, 12, 0.0, 100.0, 1.0, 100.0, 0.0, 400.0, 96.0, 96.0),
    ("E", 50.0, 60.0, 80.0, 6, 12.0, NAN, 9.0, 10.0, 80.0, 0.0, 0.0, 0.0),
]


def test_order_up_to_on_a_hand_checked_table() -> None:
    items = items_frame(
        [
            {"sku": s, "pack_size": p, "moq": m, "max_order_qty": x, "unit_cost": c}
            for s, _, _, _, p, m, x, c, *_ in ORDER_UP_TO
        ]
    )
    forecast = forecast_frame(
        [{"sku": s, "demand_mean": mu, "demand_quantile": q} for s, mu, q, *_ in ORDER_UP_TO]
    )
    stock = stock_frame([(s, "WH1", oh) for s, _, _, oh, *_ in ORDER_UP_TO])
    lines = plan_lines(forecast, items, stock, NO_ORDERS, as_of=AS_OF)

    expected = pd.DataFrame(
        [row[-5:] for row in ORDER_UP_TO],
        columns=["safety_stock", "position", "raw_qty", "order_qty", "line_value"],
    )
    pd.testing.assert_frame_equal(lines[expected.columns], expected, check_exact=False)
    assert lines["target"].tolist() == [row[2] for row in ORDER_UP_TO]
    assert lines["constraints"].tolist() == ["", "pack_rounding", "pack_rounding;moq",
                                             "pack_rounding;max_cap", ""]  # fmt: skip
    assert lines["po_key"].isna().all()


def test_inactive_items_are_left_out_and_missing_forecasts_order_nothing() -> None:
    items = items_frame([{"sku": "A"}, {"sku": "B", "active": False}, {"sku": "C"}])
    forecast = forecast_frame([{"sku": "A", "demand_mean": 10.0, "demand_quantile": 12.0}])
    lines = plan_lines(forecast, items, stock_frame([]), NO_ORDERS, as_of=AS_OF)
    assert lines["sku"].tolist() == ["A", "C"]
    no_forecast = lines.iloc[1]
    assert no_forecast["order_qty"] == 0
    assert "No forecast" in no_forecast["explanation"]


def test_service_level_and_review_period_fall_back_to_item_then_policy() -> None:
    items = items_frame(
        [{"sku": "A", "service_level": 0.9}, {"sku": "B", "review_period_days": 14.0}]
    )
    # neither A nor B has a forecast
    forecast = forecast_frame([{"sku": "Z", "demand_mean": 1.0, "demand_quantile": 2.0}])
    params = PolicyParams(default_service_level=0.97, default_review_period_days=7)
    lines = plan_lines(forecast, items, stock_frame([]), NO_ORDERS, as_of=AS_OF, params=params)
    assert lines["service_level"].tolist() == [0.9, 0.97]
    assert lines["review_period_days"].tolist() == [7.0, 14.0]


def test_explanation_states_the_numbers() -> None:
    items = items_frame([{"sku": "A", "pack_size": 12}])
    forecast = forecast_frame([{"sku": "A", "demand_mean": 140.0, "demand_quantile": 172.0}])
    stock = stock_frame([("A", "WH1", 40.0)])
    open_orders = open_orders_frame([("A", "WH1", 24.0, "2024-01-12")])
    lines = plan_lines(forecast, items, stock, open_orders, as_of=AS_OF)
    assert lines.loc[0, "explanation"] == (
        "Expect 140 units over the next 21 days (lead time 14 + review 7); to cover 95% of "
        "outcomes we need 172 (incl. 32 safety stock). On hand 40 + on order 24 = 64, so 108 "
        "are short; rounded up to 9 packs of 12 = 108."
    )


def test_explanation_names_backorders_past_due_moq_and_cover() -> None:
    items = items_frame([{"sku": "A", "pack_size": 10, "moq": 100.0}, {"sku": "B"}, {"sku": "C"}])
    forecast = forecast_frame(
        [
            {"sku": "A", "demand_mean": 30.0, "demand_quantile": 45.0},
            {"sku": "B", "demand_mean": 30.0, "demand_quantile": 45.0},
            {"sku": "C", "demand_mean": 5.0, "demand_quantile": 8.0},
        ]
    )
    stock = stock_frame([("A", "WH1", -5.0), ("C", "WH1", 20.0)])
    open_orders = open_orders_frame([("A", "WH1", 10.0, "2024-01-02")])
    text = plan_lines(forecast, items, stock, open_orders, as_of=AS_OF)["explanation"].tolist()
    assert "On hand 0 + on order 10 (10 past due) - backorders 5 = 5, so 40 are short" in text[0]
    assert text[0].endswith("rounded up to 4 packs of 10 = 40; raised to the minimum order of 100.")
    assert "(no stock record)" in text[1]
    assert text[1].endswith("so 45 are short; order 45.")
    assert text[2].endswith("On hand 20, so nothing is short; nothing to order.")


def planned_for_grouping() -> pd.DataFrame:
    rows = [
        # sku, location, supplier, lead, quantile, unit_cost
        ("A", "WH1", "S1", 14.0, 10.0, 1.255),
        ("B", "WH1", "S1", 21.0, 20.0, 2.0),
        ("C", "WH2", "S1", 14.0, 5.0, 3.0),
        ("D", "WH1", "S2", 7.0, 4.0, 10.0),
        ("E", "WH1", "S2", 7.0, 0.0, 10.0),  # nothing to order
        ("F", "WH1", "S3", 7.0, 1.0, 10.0),  # supplier not in suppliers
    ]
    items = items_frame(
        [
            {"sku": s, "location": loc, "supplier_id": sup, "lead_time_days": lt, "unit_cost": c}
            for s, loc, sup, lt, _, c in rows
        ]
    )
    forecast = forecast_frame(
        [
            {"sku": s, "location": loc, "demand_mean": q, "demand_quantile": q}
            for s, loc, _, _, q, _ in rows
        ]
    )
    return plan_lines(forecast, items, stock_frame([]), NO_ORDERS, as_of=AS_OF)


SUPPLIERS = pd.DataFrame(
    {
        "supplier_id": ["S1", "S2"],
        "name": ["Acme", "Bolt"],
        "email": "",
        "min_order_value": 0.0,
        "order_days": "",
        "currency": ["USD", ""],
        "lead_time_days": NAN,
    }
)


def test_lines_group_into_one_order_per_supplier_and_location() -> None:
    lines = planned_for_grouping()
    orders, keyed = group_orders(lines, SUPPLIERS, as_of=AS_OF)

    assert orders[["supplier_id", "location", "line_count"]].values.tolist() == [
        ["S1", "WH1", 2], ["S1", "WH2", 1], ["S2", "WH1", 1], ["S3", "WH1", 1],
    ]  # fmt: skip
    first = orders.iloc[0]
    assert first["po_key"] == "RPL-20240105-S1-WH1"
    assert first["value"] == pytest.approx(12.55 + 40.0)  # 10 x 1.255 -> 12.55 in cents
    assert first["order_date"] == AS_OF
    assert first["expected_delivery"] == pd.Timestamp("2024-01-26")  # slowest line: 21 days
    assert orders["currency"].tolist() == ["USD", "USD", "EUR", "EUR"]  # blank/unknown -> EUR

    assert keyed["po_key"].tolist() == [
        "RPL-20240105-S1-WH1", "RPL-20240105-S1-WH1", "RPL-20240105-S1-WH2",
        "RPL-20240105-S2-WH1", None, "RPL-20240105-S3-WH1",
    ]  # fmt: skip
    # the lines keep their columns; the supplier's minimum is added for the review steps
    assert list(keyed.columns) == [*lines.columns, "min_order_value"]
    assert keyed.groupby("po_key")["line_value"].sum().round(2).tolist() == orders["value"].tolist()


def test_po_keys_are_deterministic_and_readable() -> None:
    lines = planned_for_grouping()
    orders_a, _ = group_orders(lines, SUPPLIERS, as_of="2024-01-05")
    shuffled = lines.sample(frac=1.0, random_state=7)
    orders_b, keyed_b = group_orders(shuffled, SUPPLIERS, as_of=AS_OF + pd.Timedelta(hours=23))
    assert orders_a["po_key"].tolist() == orders_b["po_key"].tolist()
    assert (
        keyed_b.loc[lines.index, "po_key"].tolist()
        == group_orders(lines, SUPPLIERS, as_of=AS_OF)[1]["po_key"].tolist()
    )
    assert all(re.fullmatch(r"RPL-\d{8}-[A-Z0-9-]+", key) for key in orders_a["po_key"])


def test_po_keys_sanitise_without_collisions() -> None:
    messy = [("acme co", "wh 1"), ("ACME-CO", "WH-1"), ("ACME", "CO-WH-1"), ("Acme/Co", "wh.1")]
    keys = [po_key(AS_OF, supplier, location) for supplier, location in messy]
    assert all(re.fullmatch(r"RPL-20240105-[A-Z0-9-]+", key) for key in keys)
    assert all(key.startswith("RPL-20240105-ACME-") for key in keys)
    assert len(set(keys)) == len(keys)
    assert keys[0] == po_key("2024-01-05", "acme co", "wh 1")  # same pair, same key
