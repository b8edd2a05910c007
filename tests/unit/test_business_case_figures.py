"""The business case's arithmetic on hand-made figures: the inventory saving at equal
fill, nights summed, and "not known" where a figure cannot be known."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from config_files import write_config

from cli.business_case_page import page_blocks
from services.business_case_figures import equal_fill, sum_nights
from services.business_case_model import (
    BusinessCase,
    EqualFill,
    NightFigures,
    ServiceFigures,
)
from services.business_case_replay import PeriodSeries
from settings import Settings, SettingsError, load_settings


def _point(target: float, fill: float, inventory: float) -> dict[str, float]:
    return {"service_target": target, "fill_rate": fill, "cycle_service_level": fill,
            "avg_inventory_value": inventory}  # fmt: skip


def test_the_saving_is_read_along_the_policys_curve_at_the_spreadsheets_fill() -> None:
    # The spreadsheet at 95% serves 0.90 with 1,000 of stock on average; the policy's
    # curve passes 0.85 at 600 and 0.95 at 800, so it serves 0.90 with 700: 30% less.
    curve = {
        "baseline": [_point(0.8, 0.85, 900.0), _point(0.95, 0.90, 1000.0)],
        "policy": [_point(0.8, 0.85, 600.0), _point(0.95, 0.95, 800.0)],
    }
    saving = equal_fill(curve)
    assert saving.baseline_fill_rate == 0.90
    assert saving.policy_inventory_value == pytest.approx(700.0)
    assert saving.saving == pytest.approx(0.30)
    assert saving.saving_amount == pytest.approx(300.0)
    # At the spreadsheet's 80% point (fill 0.85): 600 against 900, a third.
    assert saving.lowest_saving == pytest.approx(0.30)


def test_a_fill_rate_the_policy_never_reaches_leaves_the_saving_unknown() -> None:
    curve = {
        "baseline": [_point(0.95, 0.90, 1000.0)],
        "policy": [_point(0.5, 0.70, 300.0), _point(0.95, 0.88, 500.0)],
    }
    saving = equal_fill(curve)
    assert saving.saving is None
    assert saving.saving_amount is None
    assert saving.policy_inventory_value is None
    assert saving.baseline_inventory_value == 1000.0


def _night(day: int, **figures: float) -> NightFigures:
    base = {"orders": 3, "lines": 10, "value": 100.10, "auto_approved_orders": 2,
            "auto_approved_lines": 7, "auto_approved_value": 60.05, "decisions": 1,
            "lines_to_people": 3, "value_to_people": 40.05, "buyer_minutes": 2.0}  # fmt: skip
    return NightFigures(night=date(2026, 11, day), **{**base, **figures})  # type: ignore[arg-type]


def test_nights_are_summed_figure_by_figure() -> None:
    total = sum_nights([_night(2), _night(9, decisions=2, buyer_minutes=4.0)])
    assert total is not None
    assert total.night == date(2026, 11, 9)
    assert (total.orders, total.lines, total.decisions) == (6, 20, 3)
    assert total.value == 200.20
    assert total.buyer_minutes == 6.0
    assert sum_nights([]) is None


def test_a_stretch_without_demand_has_no_fill_rate_rather_than_a_perfect_one() -> None:
    series = PeriodSeries()
    for t, held in ((0, 500.0), (1, 70.0), (2, 30.0)):  # period 0: warm-up, left out
        series.stock_value[t], series.asked[t], series.served[t], series.short[t] = (
            held, 0.0, 0.0, 0,
        )  # fmt: skip
    figures = series.figures(start=1)
    assert figures.fill_rate is None
    assert figures.avg_inventory_value == pytest.approx(50.0)
    series.asked[2], series.served[2], series.short[2] = 10.0, 8.0, 1
    figures = series.figures(start=1)
    assert figures.fill_rate == pytest.approx(0.8)
    assert figures.stockout_periods == 1


def test_the_page_says_not_known_instead_of_a_zero() -> None:
    unknown = ServiceFigures(fill_rate=None, stockout_periods=0, avg_inventory_value=0.0,
                             demand_units=0.0)  # fmt: skip
    case = BusinessCase(
        as_of=date(2026, 12, 7), currency="EUR", first_night=date(2026, 11, 2),
        last_night=date(2026, 11, 2), weeks=1, estimates="trailing", item_locations=1,
        minutes_per_decision=2.0, nights=[_night(2, value=0.0, auto_approved_value=0.0,
                                                  value_to_people=0.0)],
        totals=_night(2, value=0.0, auto_approved_value=0.0, value_to_people=0.0),
        auto_approved_line_share=0.7, auto_approved_value_share=None, buyer_hours=0.03,
        buyer_hours_checking_every_line=0.33, policy=unknown, baseline=unknown,
        inventory_difference=0.0,
        equal_fill=EqualFill(baseline_fill_rate=None, baseline_inventory_value=None,
                             policy_inventory_value=None, saving=None, saving_amount=None,
                             lowest_saving=None),
        weekly=[], seconds=1.0,
    )  # fmt: skip
    text = "\n".join(b.text + " ".join(" ".join(r) for r in b.rows) for b in page_blocks(case))
    assert "not known of the value" in text
    assert "Inventory saving at equal fill: not known" in text
    assert "Fill rate (demand served from stock) not known not known not known" in text
    assert " 0.0% " not in text
    assert "(0.0%)" not in text


def test_a_buyers_minutes_per_decision_is_one_setting_shared_by_file_and_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert Settings().value.minutes_per_decision == 2.0
    config = write_config(tmp_path, "[value]\nminutes_per_decision = 4.5\n")
    assert load_settings(config).value.minutes_per_decision == 4.5
    with pytest.raises(SettingsError, match=r"value\.minutes_per_decision"):
        load_settings(write_config(tmp_path, "[value]\nminutes_per_decision = 0\n"))
    monkeypatch.setenv("REPLENISH_VALUE__MINUTES_PER_DECISION", "3")
    assert load_settings(config).value.minutes_per_decision == 3.0
