"""The value report in words: a figure not known yet says when it will be, never 0."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from contracts.value_report import OutcomeFigures, ValueReport, WorkFigures
from services.value_text import render_markdown
from web.value_page import render_page

WAITING = WorkFigures(
    key="week of 2026-11-30", lines=4, value=Decimal("120.00"), auto_approved_lines=3,
    auto_approved_share=0.75, decisions_asked=1, decisions_taken=1, minutes_asked=2.0,
    minutes_every_line=8.0, changes=1, changes_up=1, changes_down=0,
    change_value=Decimal("10.00"), changes_scored=0, changes_helped=0, changes_hurt=0,
    helped_share=None, money_saved=None, units_short_proposed=None, units_short_chosen=None,
    excess_value_proposed=None, excess_value_chosen=None, changes_waiting=1,
    known_after=date(2026, 12, 20),
)  # fmt: skip
UNSEEN = OutcomeFigures(key="all", item_locations=4, nights_observed=0, stockout_days=None,
                        fill_rate=None, days_of_supply=None, above_target_value=None,
                        known_after=date(2026, 11, 30))  # fmt: skip


def report() -> ValueReport:
    return ValueReport(
        since=date(2026, 11, 30), until=date(2026, 11, 30), currency="EUR",
        minutes_per_decision=2.0, extract_until=date(2026, 11, 29), nights=1, total=WAITING,
        by_week=[WAITING], by_category=[WAITING], by_supplier=[WAITING], by_location=[WAITING],
        outcomes_total=UNSEEN, outcomes_by_week=[UNSEEN], outcomes_by_category=[UNSEEN],
        outcomes_by_supplier=[UNSEEN], outcomes_by_location=[UNSEEN], proposals=[],
    )  # fmt: skip


def test_unknown_figures_say_when_they_will_be_known() -> None:
    text = render_markdown(report())
    assert "outcome known after 2026-12-20" in text
    assert "known after 2026-11-30" in text  # the stock-out days and fill rate
    assert "| 0.0% |" not in text
    assert "EUR 0.00 saved" not in text


def test_the_page_says_the_same_and_saves_minutes() -> None:
    page = render_page(report())
    assert "known after 2026-12-20" in page
    assert "6 min" in page  # 8 minutes of checking every line, 2 asked
    assert "<script" not in page
