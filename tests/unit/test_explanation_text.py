"""`replenish explain` in words: the cases a sample night does not reach (stock-outs
re-estimated, a model that fell back, no backtest, a quantity a person changed, a line an
earlier run of the night proposed). tests/integration/test_runs_and_explain.py checks
the printed facts against a real night's database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from cli.explanation_text import render_explanation
from services.item_explanations import FlagFacts, ForecastFacts, ItemExplanation, LineFacts

FORECAST = ForecastFacts(
    demand_class="smooth", model="SeasonalNaive", fallback=None, history_periods=730,
    backtest_rmsse=0.81234, backtest_mase=0.9, bias=0.12, candidates={
        "SeasonalNaive": 0.81234, "AutoETS": 0.85, "MSTL": None},
    capped_periods=0, demand_cap=None, censored_periods=0, mean_per_period=10.0,
    protection_periods=14.0, demand_mean=140.0, demand_std=21.5, service_level=0.975,
    demand_quantile=182.4, supplier_id="SUP-01", category="Tools",
)  # fmt: skip
LINE = LineFacts(
    po_key="RPL-20261130-SUP-01-DC-NORTH", po_status="approved", run_id="a" * 32,
    supplier_id="SUP-01", currency="EUR", proposed_quantity=Decimal("48"),
    approved_quantity=Decimal("60"), unit_cost=Decimal("2.5"), line_value=Decimal("120.00"),
    explanation="Expect 140 units over the next 14 days ...",
    details={"on_hand": 100.0, "on_order": 12.0, "own_on_order": 0.0, "backorders": 0.0,
             "position": 112.0, "safety_stock": 42.4, "target": 182.4, "service_level": 0.975,
             "raw_qty": 70.4, "pack_size": 12, "moq": 24.0, "max_order_qty": None,
             "constraints": "pack_rounding;moq", "precedent": 201.0},
    flags=[FlagFacts("LARGE_CHANGE", "medium", "SKU-1", "Far above recent orders.",
                     Decimal("45.00"))],
    order_flags=[FlagFacts("UNUSUAL_ORDER", "medium", None, "Twice the usual value.",
                           Decimal("300.00"))],
)  # fmt: skip
FOUND = ItemExplanation("SKU-1", "DC-NORTH", "b" * 32, date(2026, 11, 30), "succeeded",
                        FORECAST, [LINE])  # fmt: skip


def test_the_model_its_rivals_and_the_line_with_its_numbers_and_flags() -> None:
    text = render_explanation(FOUND)
    assert text.startswith(
        "SKU-1 at DC-NORTH, as the nightly run of 2026-11-30 (bbbbbbbb, succeeded) saw it:\n"
    )
    assert "chosen by a rolling-origin backtest: RMSSE 0.812, MASE 0.900, bias +0.12 " in text
    assert "SeasonalNaive 0.812 (chosen), AutoETS 0.850, MSTL failed." in text
    assert "At the 97.5% service level its quantile is 182.4" in text
    assert "proposed on RPL-20261130-SUP-01-DC-NORTH (approved, proposed by run aaaaaaaa)" in text
    assert "at 2.50 a unit; a person approved 60." in text
    assert "position 112 = on hand 100 + on order 12 (our own orders 0) - backorders 0" in text
    assert "pack 12, MOQ 24 (applied: pack_rounding, moq)" in text
    assert "the most it ever sold over an interval this long: 201" in text
    assert "    - LARGE_CHANGE (medium, EUR 45.00 at stake): Far above recent orders." in text
    assert "  Flags on the whole order:\n    - UNUSUAL_ORDER" in text
    assert "is not the forecast's quantile" not in text  # the target is the quantile here


def test_stock_outs_fallback_and_no_backtest_are_said() -> None:
    forecast = replace(
        FORECAST, censored_periods=12, capped_periods=2, demand_cap=80.0, backtest_rmsse=None,
        backtest_mase=None, bias=None, candidates={}, model="HistoricAverage",
        fallback="AutoETS raised on this series; historic average used",
    )  # fmt: skip
    text = render_explanation(replace(FOUND, forecast=forecast, lines=[]))
    assert "2 periods sold far above the usual (one-off spikes) and were capped at 80 " in text
    assert "12 periods out of stock with no sale were re-estimated" in text
    assert "Model: HistoricAverage, not chosen by a backtest (new and dormant items" in text
    assert "Fallback: AutoETS raised on this series; historic average used." in text
    assert "Candidates" not in text
    assert "Ordered: nothing. No order dated 2026-11-30 has a line for it" in text


def test_a_target_other_than_the_quantile_is_pointed_out() -> None:
    line = replace(LINE, details={**LINE.details, "target": 210.0})
    text = render_explanation(replace(FOUND, lines=[line]))
    assert "Its target (210) is not the forecast's quantile (182.4)" in text


def test_a_young_item_is_not_said_to_have_sold_its_scaled_precedent() -> None:
    """Ten periods old against a 14-period interval: its precedent is its ten periods'
    sales scaled to 14 (`forecasting.plausibility`); the sentence gives what it sold."""
    forecast = replace(FORECAST, demand_class="new", history_periods=10)
    text = render_explanation(replace(FOUND, forecast=forecast))
    assert "it sold 143.6 in its first 10 periods, 201 over an interval this long" in text
    assert "the most it ever sold" not in text
