"""Issue 14: an order waits when it is unusual for its supplier, not because it is large."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from flags import AUTO_APPROVED, PENDING_REVIEW, FlagRules, flag_orders, order_decisions
from flags.rules.orders import ORDER_HISTORY_COLUMNS, unusual_order

NO_QUARANTINE = pd.DataFrame({"sku": [], "location": [], "reasons": []}, dtype=object)
KEY = "RPL-20240105-BIG-WH1"


def lines_of(count: int, unit_cost: float = 20.0, **extra: Any) -> pd.DataFrame:
    """`count` ordinary lines of supplier BIG: 10 units each, well stocked, old items."""
    return pd.DataFrame(
        {
            "sku": [f"SKU{i:04d}" for i in range(count)], "location": "WH1",
            "supplier_id": "BIG", "po_key": KEY, "order_qty": 10.0, "unit_cost": unit_cost,
            "line_value": 10.0 * unit_cost, "on_hand": 100.0, "backorders": 0.0,
            "on_order": 0.0, "arriving_within_lead_time": 0.0, "lead_time_demand": 10.0,
            "lead_time_days": 14.0, **extra,
        }
    )  # fmt: skip


def order_of(lines: pd.DataFrame, currency: str = "EUR") -> pd.DataFrame:
    return pd.DataFrame(
        [{"po_key": KEY, "supplier_id": "BIG", "location": "WH1", "currency": currency,
          "order_date": pd.Timestamp("2024-01-05"), "line_count": len(lines),
          "value": float(lines["line_value"].sum())}]
    )  # fmt: skip


def history(values: list[float], line_counts: list[int], currency: str = "EUR") -> pd.DataFrame:
    """Placed orders of BIG at WH1, one a week before tonight."""
    days = pd.date_range(end="2023-12-29", periods=len(values), freq="7D")
    return pd.DataFrame(
        {"supplier_id": "BIG", "location": "WH1", "currency": currency, "order_date": days,
         "value": values, "line_count": line_counts},
        columns=ORDER_HISTORY_COLUMNS,
    )  # fmt: skip


def forecast(lines: pd.DataFrame) -> pd.DataFrame:
    return lines[["sku", "location"]].assign(demand_class="smooth", history_periods=104)


# A large supplier: about 60,000 over 300 lines a week, six times the old fixed limit.
ROUTINE = history([58_000.0, 61_000.0, 60_500.0, 59_000.0, 62_000.0, 60_000.0],
                  [290, 305, 300, 295, 310, 300])  # fmt: skip


def decide(lines: pd.DataFrame, past: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    orders = order_of(lines)
    flags = flag_orders(lines, orders, forecast(lines), NO_QUARANTINE, order_history=past)
    decision = order_decisions(orders, flags).set_index("po_key").loc[KEY, "decision"]
    return flags, str(decision)


def test_a_routine_order_of_a_large_supplier_is_not_held() -> None:
    lines = lines_of(305, unit_cost=20.0)  # 61,000 over 305 lines
    flags, decision = decide(lines, ROUTINE)
    assert flags.empty
    assert decision == AUTO_APPROVED


def test_an_order_twice_its_suppliers_usual_size_is_held() -> None:
    lines = lines_of(300, unit_cost=40.0)  # 120,000: twice the usual 60,250, same lines
    flags, decision = decide(lines, ROUTINE)
    assert decision == PENDING_REVIEW
    assert flags["code"].tolist() == ["UNUSUAL_ORDER"]
    flag = flags.iloc[0]
    assert flag["sku"] is None
    assert flag["money_at_stake"] == pytest.approx(120_000.0 - 60_250.0)
    assert flag["message"].startswith(
        "Order value EUR 120,000.00 over 300 lines is 2.0 times this supplier's usual order "
        "here (median EUR 60,250.00 and 300 lines over its last 6 placed orders)."
    )


def test_twice_the_usual_line_count_is_held_even_at_the_usual_value() -> None:
    lines = lines_of(600, unit_cost=10.0)  # the usual 60,000 spread over 600 lines
    flags, decision = decide(lines, ROUTINE)
    assert decision == PENDING_REVIEW
    assert flags.iloc[0]["message"].endswith("Its line count is unusual for this supplier.")
    assert flags.iloc[0]["money_at_stake"] == pytest.approx(60_000.0 * 300 / 600)


def test_a_few_extra_lines_at_a_small_supplier_are_not_unusual() -> None:
    lines = lines_of(4, unit_cost=20.0)  # 4 lines where 1 or 2 are usual, same value
    past = history([800.0, 800.0, 800.0], [1, 2, 1])
    assert unusual_order(order_of(lines), lines, past, FlagRules()).empty


def test_history_in_another_currency_or_too_short_is_no_history() -> None:
    lines = lines_of(300, unit_cost=40.0)
    rules = FlagRules()
    # Dollars are not compared with euros; two orders are fewer than the minimum of 3.
    for past in (history([60_000.0] * 6, [300] * 6, "USD"), ROUTINE.tail(2)):
        # no forecast columns on these lines: nothing to fall back to, so silent
        assert unusual_order(order_of(lines), lines, past, rules).empty


@pytest.mark.parametrize(("unit_cost", "fires"), [(40.0, False), (80.0, True)])
def test_without_history_the_forecasts_protection_interval_of_spend_is_the_yardstick(
    unit_cost: float, fires: bool
) -> None:
    # 300 items each forecast to sell 21 units over lead time + review at 20.00: 126,000.
    # Ordering all of it (a first order on empty shelves) is plausible; 1.9 times is not.
    lines = lines_of(300, unit_cost=unit_cost, demand_mean=21.0)
    lines["unit_cost"] = 20.0
    flags = unusual_order(order_of(lines), lines, history([], []), FlagRules())
    assert len(flags) == int(fires)
    if fires:  # 240,000 is 1.9 times 126,000
        message = flags.iloc[0]["message"]
        assert "1.9 times what this supplier's items are forecast to sell over" in message
        assert "(EUR 126,000.00); there is no order history yet" in message


def test_a_supplier_override_sets_its_own_ratio() -> None:
    lines = lines_of(300, unit_cost=30.0)  # 1.49 times the usual
    rules = FlagRules(overrides={"supplier:BIG": {"unusual_order_ratio": 1.25}})
    assert unusual_order(order_of(lines), lines, ROUTINE, FlagRules()).empty
    assert unusual_order(order_of(lines), lines, ROUTINE, rules)["code"].tolist() == [
        "UNUSUAL_ORDER"
    ]
