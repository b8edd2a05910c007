"""The rules added for issue 6: each fires just above its threshold and not just below."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from flags import FlagRules, flag_orders
from flags.rules.history import HISTORY_COLUMNS
from purchasing import group_orders

AS_OF = pd.Timestamp("2024-01-05")
SUPPLIERS = pd.DataFrame({"supplier_id": ["S1", "S2"], "name": ["Acme", "Bolt"],
                          "currency": ["EUR", "EUR"]})  # fmt: skip
NO_QUARANTINE = pd.DataFrame({"sku": [], "location": [], "reasons": []}, dtype=object)
SWITCHES = {
    "LARGE_LINE_VALUE": "large_line_value", "LARGE_ORDER_VALUE": "large_order_value",
    "NEW_ITEM": "new_item", "DATA_QUALITY": "data_quality", "STOCKOUT_RISK": "stockout_risk",
    "CONSTRAINT_INFLATION": "constraint_inflation", "LOW_CONFIDENCE": "low_confidence",
    "DORMANT_ITEM": "dormant_item", "EXCESS_COVER": "excess_cover",
    "DUPLICATE_RISK": "duplicate_risk", "QUANTITY_VS_HISTORY": "quantity_vs_history",
    "PRICE_CHANGE": "price_change",
}  # fmt: skip


def only(code: str, **settings: Any) -> FlagRules:
    switches = {switch: c == code for c, switch in SWITCHES.items()}
    return FlagRules(**{**switches, **settings})


def line(sku: str, **overrides: Any) -> dict[str, Any]:
    """A line no rule objects to: 10 units at 1.00, position 20 against demand 10."""
    row: dict[str, Any] = {
        "sku": sku, "location": "WH1", "supplier_id": "S1", "order_qty": 10.0,
        "unit_cost": 1.0, "on_hand": 20.0, "backorders": 0.0, "on_order": 0.0,
        "position": 20.0, "demand_mean": 10.0, "arriving_within_lead_time": 0.0,
        "lead_time_demand": 5.0, "lead_time_days": 14.0, "category": "Tools",
    }  # fmt: skip
    row.update(overrides)
    row.setdefault("line_value", round(row["order_qty"] * row["unit_cost"], 2))
    return row


def plan(*rows: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    lines = pd.DataFrame(list(rows)).assign(po_key=None)
    orders, keyed = group_orders(lines, SUPPLIERS, as_of=AS_OF)
    return keyed, orders


def forecast(lines: pd.DataFrame, **columns: Any) -> pd.DataFrame:
    base = {"sku": lines["sku"], "location": lines["location"], "demand_class": "smooth",
            "demand_mean": 10.0, "demand_std": 3.0, "backtest_rmsse": 0.8}  # fmt: skip
    return pd.DataFrame({**base, **columns})


def run(rules: FlagRules, *rows: dict[str, Any], **kw: Any) -> pd.DataFrame:
    lines, orders = plan(*rows)
    summary = kw.pop("summary", forecast(lines))
    return flag_orders(lines, orders, summary, NO_QUARANTINE, rules, **kw)


@pytest.mark.parametrize(
    ("std", "rmsse", "fires"),
    [
        (10.01, 0.8, True),  # std / mean just above 1.0
        (10.0, 0.8, False),
        (9.99, 0.8, False),
        (3.0, 1.51, True),  # backtest RMSSE just above 1.5
        (3.0, 1.5, False),
        (3.0, float("nan"), False),  # no backtest: that half stays silent
    ],
)
def test_low_confidence_fires_on_a_wide_interval_or_a_poor_backtest(
    std: float, rmsse: float, fires: bool
) -> None:
    lines, orders = plan(line("A"))
    summary = forecast(lines, demand_std=std, backtest_rmsse=rmsse)
    flags = flag_orders(lines, orders, summary, NO_QUARANTINE, only("LOW_CONFIDENCE"))
    assert flags["code"].tolist() == fires * ["LOW_CONFIDENCE"]
    if fires:
        assert "this order of 10 units (EUR 10.00)" in flags.loc[0, "message"]
        assert flags.loc[0, "money_at_stake"] == 10.0


def test_low_confidence_names_both_reasons_and_survives_a_missing_spread() -> None:
    lines, orders = plan(line("A"), line("B"))
    summary = forecast(lines, demand_std=[20.0, float("nan")], backtest_rmsse=[2.0, 2.0])
    flags = flag_orders(lines, orders, summary, NO_QUARANTINE, only("LOW_CONFIDENCE"))
    messages = flags.set_index("sku")["message"]
    assert "varies by 200% of its mean and the backtest error is 2 times" in messages["A"]
    assert messages["B"].startswith("Low forecast confidence: the backtest error is 2 times")


@pytest.mark.parametrize(
    ("demand_class", "order_qty", "fires"),
    [("dormant", 1.0, True), ("dormant", 0.0, False), ("smooth", 1.0, False)],
)
def test_dormant_item_fires_when_a_dormant_item_orders_something(
    demand_class: str, order_qty: float, fires: bool
) -> None:
    lines, orders = plan(line("A", order_qty=order_qty, unit_cost=3.0))
    summary = forecast(lines, demand_class=demand_class)
    flags = flag_orders(lines, orders, summary, NO_QUARANTINE, only("DORMANT_ITEM"))
    assert flags["code"].tolist() == fires * ["DORMANT_ITEM"]
    if fires:
        assert flags.loc[0, "message"].startswith("Dormant item: no recent sales, yet this order")
        assert flags.loc[0, "severity"] == "high"


@pytest.mark.parametrize(("order_qty", "fires"), [(10.01, True), (10.0, False), (9.99, False)])
def test_excess_cover_fires_above_three_protection_intervals(order_qty: float, fires: bool) -> None:
    # position 20 + order_qty against 3 x demand_mean 10 = 30
    flags = run(
        only("EXCESS_COVER", excess_cover=True), line("A", order_qty=order_qty, unit_cost=2.0)
    )
    assert flags["code"].tolist() == fires * ["EXCESS_COVER"]
    if fires:
        assert flags.loc[0, "money_at_stake"] == pytest.approx(0.02)
        assert "(limit 3x)" in flags.loc[0, "message"]


def test_excess_cover_ignores_items_without_expected_demand() -> None:
    assert run(only("EXCESS_COVER"), line("A", demand_mean=0.0)).empty


@pytest.mark.parametrize(
    ("on_order", "fires"), [(10.0, True), (9.99, True), (10.01, False), (0.0, False)]
)
def test_duplicate_risk_fires_when_ordering_at_least_the_open_quantity_again(
    on_order: float, fires: bool
) -> None:
    flags = run(only("DUPLICATE_RISK"), line("A", on_order=on_order, unit_cost=5.0))
    assert flags["code"].tolist() == fires * ["DUPLICATE_RISK"]
    if fires:
        assert flags.loc[0, "money_at_stake"] == pytest.approx(on_order * 5.0)
        assert "already on order and due" in flags.loc[0, "message"]


def history(*rows: tuple[str, str, float, float, str]) -> pd.DataFrame:
    records = [(sku, "WH1", supplier, qty, cost, pd.Timestamp(day))
               for sku, supplier, qty, cost, day in rows]  # fmt: skip
    return pd.DataFrame(records, columns=HISTORY_COLUMNS)


@pytest.mark.parametrize(("order_qty", "fires"), [(30.01, True), (30.0, False), (29.99, False)])
def test_quantity_vs_history_fires_above_three_times_the_recent_average(
    order_qty: float, fires: bool
) -> None:
    past = history(("A", "S1", 5.0, 1.0, "2023-12-01"), ("A", "S1", 15.0, 1.0, "2023-12-15"))
    flags = run(only("QUANTITY_VS_HISTORY"), line("A", order_qty=order_qty), history=past)
    assert flags["code"].tolist() == fires * ["QUANTITY_VS_HISTORY"]
    if fires:
        assert "the average of 10 units over the last 2 orders" in flags.loc[0, "message"]


def test_quantity_vs_history_uses_only_the_last_n_orders() -> None:
    past = history(("A", "S1", 1000.0, 1.0, "2023-01-01"), ("A", "S1", 3.0, 1.0, "2023-12-01"))
    rules = only("QUANTITY_VS_HISTORY", history_orders=1)
    assert run(rules, line("A"), history=past)["code"].tolist() == ["QUANTITY_VS_HISTORY"]


def test_quantity_vs_history_calls_a_first_order_only_when_history_exists() -> None:
    rules = only("QUANTITY_VS_HISTORY")
    assert run(rules, line("A"), line("B")).empty  # no history at all: silent
    past = history(("A", "S1", 10.0, 1.0, "2023-12-01"))
    flags = run(rules, line("A"), line("B", unit_cost=2.0), history=past)
    assert flags["sku"].tolist() == ["B"]
    assert flags.loc[0, "message"].startswith("First order ever for this item")
    assert flags.loc[0, "money_at_stake"] == 20.0


@pytest.mark.parametrize(
    ("unit_cost", "fires"),
    [(1.1001, True), (1.1, False), (1.0999, False), (0.8999, True), (0.9, False)],
)
def test_price_change_fires_above_ten_percent_against_the_same_supplier(
    unit_cost: float, fires: bool
) -> None:
    past = history(
        ("A", "S1", 10.0, 0.5, "2023-11-01"),  # older: not the last price
        ("A", "S1", 10.0, 1.0, "2023-12-01"),
        ("A", "S2", 10.0, 5.0, "2023-12-20"),  # another supplier: not compared
    )
    flags = run(only("PRICE_CHANGE"), line("A", unit_cost=unit_cost), history=past)
    assert flags["code"].tolist() == fires * ["PRICE_CHANGE"]
    if fires:
        assert flags.loc[0, "money_at_stake"] == pytest.approx(abs(unit_cost - 1.0) * 10)
        assert "since the last order from S1" in flags.loc[0, "message"]


def test_always_review_flags_every_order_of_the_listed_suppliers() -> None:
    rules = only("ALWAYS_REVIEW", always_review_suppliers=["S2"])
    assert "ALWAYS_REVIEW" in rules.enabled_codes()
    flags = run(rules, line("A"), line("B", supplier_id="S2"), line("C", supplier_id="S2"))
    assert flags["code"].tolist() == ["ALWAYS_REVIEW"]
    assert flags.loc[0, "po_key"] == "RPL-20240105-S2-WH1"
    assert flags.loc[0, "sku"] is None
    assert "this order of 2 lines (EUR 20.00) waits for a buyer" in flags.loc[0, "message"]


@pytest.mark.parametrize(
    ("supplier", "category", "limit"),
    [
        ("S1", "Tools", 50.0),  # supplier override wins over category
        ("S2", "Tools", 20.0),  # category override wins over global
        ("S2", "Food", 2500.0),  # global
    ],
)
@pytest.mark.parametrize("delta", [0.01, 0.0])
def test_line_value_limit_overrides_supplier_over_category_over_global(
    supplier: str, category: str, limit: float, delta: float
) -> None:
    rules = only(
        "LARGE_LINE_VALUE",
        overrides={"supplier:S1": {"line_value_limit": 50.0},
                   "category:Tools": {"line_value_limit": 20.0}},
    )  # fmt: skip
    row = line("A", supplier_id=supplier, category=category, order_qty=1.0, unit_cost=limit + delta)
    flags = run(rules, row)
    assert len(flags) == int(delta > 0)
    if delta > 0:
        assert f"review limit of EUR {limit:,.2f}" in flags.loc[0, "message"]


@pytest.mark.parametrize(("delta", "fires"), [(0.01, True), (0.0, False)])
def test_order_value_limit_takes_supplier_overrides(delta: float, fires: bool) -> None:
    rules = only("LARGE_ORDER_VALUE", overrides={"supplier:S2": {"order_value_limit": 100.0}})
    flags = run(rules, line("A", supplier_id="S2", order_qty=1.0, unit_cost=100.0 + delta))
    assert len(flags) == int(fires)


@pytest.mark.parametrize(
    "overrides",
    [{"vendor:S1": {"line_value_limit": 1.0}}, {"supplier:S1": {"line_value_limt": 1.0}},
     {"supplier:": {"line_value_limit": 1.0}}],
)  # fmt: skip
def test_misspelt_overrides_fail_at_start_up(overrides: dict[str, dict[str, float]]) -> None:
    with pytest.raises(ValueError, match="override"):
        FlagRules(overrides=overrides)


def test_implausible_forecast_holds_its_line_whatever_its_value() -> None:
    # A 1-cent line the value rules would never look at, and a switch-everything-off rule
    # set with every line flag only informing: the guard's flag still holds the order.
    from flags import order_decisions

    lines, orders = plan(line("A", order_qty=1.0, unit_cost=0.01), line("B", supplier_id="S2"))
    sentence = "Theta(12) gave an implausible quantity (32,709,891 units ...)"
    summary = forecast(lines, implausible=[sentence, None])
    rules = only("NONE", review_min_money_at_stake=1_000_000.0)
    flags = flag_orders(lines, orders, summary, NO_QUARANTINE, rules)
    assert flags["code"].tolist() == ["IMPLAUSIBLE_FORECAST"]
    assert flags.loc[0, "sku"] == "A"
    assert flags.loc[0, "severity"] == "high"
    assert flags.loc[0, "message"].startswith("Implausible forecast: " + sentence)
    decisions = order_decisions(orders, flags, rules).set_index("po_key")["decision"]
    held = lines.set_index("sku")["po_key"]
    assert decisions[held["A"]] == "pending_review"
    assert decisions[held["B"]] == "auto_approved"
