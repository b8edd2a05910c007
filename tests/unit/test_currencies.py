"""Money in several currencies: limits converted into the order's currency, totals per
currency, and a currency without a rate is an error that names it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from approvals.policy import RoutingPolicy
from approvals.routing import route_orders
from contracts.run_summary import summary_json
from flags import FlagRules, flag_orders
from flows.ordering import Plan, Review
from purchasing import group_orders
from purchasing.currency import Currencies, MissingExchangeRate, totals_by_currency
from services.run_summary import RunFacts, build_summary, render_text
from settings import Settings, SettingsError, load_settings

NO_QUARANTINE = pd.DataFrame({"sku": [], "location": [], "reasons": []}, dtype=object)
SUPPLIERS = pd.DataFrame(
    {"supplier_id": ["EU", "US", "JP"], "name": ["a", "b", "c"], "currency": ["EUR", "usd", "JPY"]}
)
_OTHER_RULES = (
    "unusual_order", "new_item", "data_quality", "stockout_risk", "constraint_inflation",
    "dormant_item", "duplicate_risk", "quantity_vs_history", "price_change",
    "demand_anomaly", "below_min_order_value",
)  # fmt: skip
LINE_LIMIT_ONLY = FlagRules.model_validate(dict.fromkeys(_OTHER_RULES, False))


def planned(*rows: tuple[str, str, float]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Lines (sku, supplier, value) of one unit each; returns (keyed lines, orders)."""
    lines = pd.DataFrame(
        [{"sku": sku, "location": "WH1", "supplier_id": supplier, "order_qty": 1.0,
          "unit_cost": value, "line_value": value, "lead_time_days": 7.0, "po_key": None}
         for sku, supplier, value in rows]
    )  # fmt: skip
    orders, keyed = group_orders(lines, SUPPLIERS, as_of=pd.Timestamp("2024-01-05"))
    return keyed, orders


def forecast(lines: pd.DataFrame) -> pd.DataFrame:
    return lines[["sku", "location"]].assign(demand_class="smooth")


def test_a_missing_rate_is_an_error_naming_the_currency() -> None:
    lines, orders = planned(("A", "EU", 10.0), ("B", "JP", 5000.0), ("C", "US", 10.0))
    rates = Currencies(rates={"USD": 0.9})
    with pytest.raises(MissingExchangeRate, match=r"no exchange rate for JPY: .* in EUR"):
        flag_orders(lines, orders, forecast(lines), NO_QUARANTINE, currencies=rates)


@pytest.mark.parametrize(("rate", "fires"), [(0.9, False), (1.1, True)])
def test_a_limit_is_compared_in_the_orders_currency(rate: float, fires: bool) -> None:
    # 2,600 USD is 2,340 EUR at 0.9 (under the 2,500 EUR limit) and 2,860 EUR at 1.1.
    lines, orders = planned(("A", "US", 2600.0))
    flags = flag_orders(
        lines, orders, forecast(lines), NO_QUARANTINE, LINE_LIMIT_ONLY,
        currencies=Currencies(rates={"USD": rate}),
    )  # fmt: skip
    assert len(flags) == int(fires)
    if fires:
        assert flags.loc[0, "message"] == (
            "Line value USD 2,600.00 is above the review limit of USD 2,272.73."
        )
        assert flags.loc[0, "money_at_stake_base"] == pytest.approx(2860.0)


def test_mixed_currency_orders_are_totalled_per_currency() -> None:
    lines, orders = planned(
        ("A", "EU", 1000.0), ("B", "EU", 500.0), ("C", "US", 2000.0), ("D", "JP", 300000.0)
    )
    assert totals_by_currency(orders["value"], orders["currency"], "EUR") == {
        "EUR": 1500.0, "JPY": 300000.0, "USD": 2000.0
    }  # fmt: skip
    settings = Settings(currency=Currencies(rates={"USD": 0.9, "JPY": 0.006}))
    decisions = pd.Series(["auto_approved", "pending_review", "auto_approved"],
                          index=orders["po_key"].tolist())  # fmt: skip
    review = Review(
        plan=Plan(lines=lines, orders=orders),
        flags=flag_orders(lines, orders, forecast(lines), NO_QUARANTINE, LINE_LIMIT_ONLY,
                          currencies=settings.currency),
        decisions=decisions,
        approvers=pd.Series("buyer@x", index=orders["po_key"].tolist()),
    )  # fmt: skip
    facts = RunFacts(run_id="r" * 32, as_of=date(2024, 1, 5), settings=settings, review=review)
    built = build_summary(facts, {})
    summary = summary_json(built)  # as `replenish run --json` prints it
    figures = summary["orders"]
    assert figures["value_total"] == {"EUR": 1500.0, "JPY": 300000.0, "USD": 2000.0}
    went = {c: v for c, v in figures["value_total"].items() if c != _pending_currency(orders)}
    assert figures["auto_approved_value"] == went
    # Shares are of money in the base currency: 1,500 + 1,800 + 1,800 EUR in all.
    held_base = {"EUR": 1500.0, "USD": 1800.0, "JPY": 1800.0}[_pending_currency(orders)]
    assert figures["auto_approved_value_share"] == pytest.approx(1 - held_base / 5100, abs=1e-3)
    text = render_text(built)
    assert "worth EUR 1,500.00 + JPY 300,000.00 + USD 2,000.00." in text
    held = summary["review"]["held_money_at_stake"]
    assert set(held) <= {"EUR", "JPY", "USD"}


def _pending_currency(orders: pd.DataFrame) -> str:
    return str(orders["currency"].iloc[1])


def test_routing_tiers_compare_the_whole_order_in_the_base_currency() -> None:
    policy = RoutingPolicy.model_validate(
        {"default_approver": "buyer@x",
         "tiers": [{"name": "high", "above": 10_000, "hours": 48}],
         "rules": [{"tier": "high", "approver": "head@x"},
                   {"supplier": "US", "approver": "us-buyer@x", "up_to": 5_000}]}
    )  # fmt: skip
    orders = pd.DataFrame(
        {"po_key": ["P1", "P1-R", "P2"], "supplier_id": ["US", "US", "US"],
         "location": "WH1", "currency": "USD", "value": [4_000.0, 4_000.0, 3_000.0]}
    )  # fmt: skip
    lines = pd.DataFrame({"po_key": ["P1", "P1-R", "P2"], "category": "Misc",
                          "line_value": [4_000.0, 4_000.0, 3_000.0]})  # fmt: skip
    routed = route_orders(orders, lines, policy, Currencies(rates={"USD": 1.5}))
    # P1 and its review order are one order of 8,000 USD = 12,000 EUR: the high tier, and
    # above the US buyer's authority of 5,000 EUR, whichever part is looked at.
    assert routed["tier"].tolist() == ["high", "high", "standard"]
    assert routed["approver"].tolist() == ["head@x", "head@x", "us-buyer@x"]
    with pytest.raises(MissingExchangeRate, match="USD"):
        route_orders(orders, lines, policy, Currencies())


def test_rates_come_from_the_config_and_must_be_positive(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[currency]\nbase = "EUR"\nrates = { usd = 0.92 }\n')
    assert load_settings(config).currency.rates == {"USD": 0.92}
    config.write_text("[currency]\nrates = { USD = 0.0 }\n")
    with pytest.raises(SettingsError, match=r"currency\.rates"):
        load_settings(config)
