"""The item chart on the review page: an SVG of numbers only, in totals over the protection
interval, so the target and the precedent can be read against what sold."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date

from web.chart import BOTTOM, HEIGHT, LEFT, PRECEDENT, TARGET, TOP, ChartInput, demand_chart

SVG = "{http://www.w3.org/2000/svg}"

LUMPY = ChartInput(
    sold=[0, 0, 24, 0, 0, 46, 0, 77, 0, 0, 0, 8, 0, 0, 0, 32] * 5,
    as_of=date(2026, 12, 6),
    period_days=1.0,
    periods=17.0,
    mean=36.9,
    quantile=508.0,
    service_level=0.98,
    target=2085.0,
    precedent=600.0,
    label='Demand of <SKU "37">',
)


def _line_y(svg: str, colour: str) -> float:
    root = ET.fromstring(svg)
    line = next(e for e in root.iter(f"{SVG}line") if e.get("stroke") == colour)
    return float(line.get("y1", "nan"))


def test_nothing_to_draw_draws_nothing() -> None:
    empty = replace(LUMPY, sold=[], mean=0.0, quantile=0.0, target=None, precedent=None)
    assert demand_chart(empty) == ""


def test_target_and_precedent_are_inside_the_frame_however_large() -> None:
    """The axis grows to the target: a target of 2,085 against sales of a few dozen a
    day must be seen, not cut off at the top of the sales."""
    svg = demand_chart(LUMPY)
    root = ET.fromstring(svg)  # well-formed XML, the label escaped
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text == 'Demand of <SKU "37">'
    target, precedent = _line_y(svg, TARGET), _line_y(svg, PRECEDENT)
    assert TOP <= target < precedent <= HEIGHT - BOTTOM  # higher target, drawn above
    assert "stock target 2,085" in svg
    assert "most ever in 17 days: 600" in svg
    assert "<script" not in svg
    assert "href" not in svg  # nothing fetched from anywhere


def test_band_is_labelled_with_the_lines_own_service_level() -> None:
    svg = demand_chart(LUMPY)
    assert "98% service level covers 508" in svg
    assert "90%" not in svg
    assert "95% service level" in demand_chart(replace(LUMPY, service_level=0.95))


def test_time_axis_has_dates_from_history_to_the_end_of_the_interval() -> None:
    svg = demand_chart(LUMPY)
    # 80 days sold up to the run date; the first rolling total ends 64 days before it,
    # and the protection interval ahead ends 17 days after it.
    assert "06 Dec 2026" in svg
    assert "03 Oct 2026" in svg
    assert "23 Dec 2026" in svg


def test_rolling_totals_are_sums_over_the_protection_interval() -> None:
    """The sold line's highest point is the largest 17-day total of the history."""
    chart = replace(LUMPY, target=None, precedent=None, quantile=0.0, mean=0.0)
    root = ET.fromstring(demand_chart(chart))
    sold = root.find(f"{SVG}polyline")
    assert sold is not None
    ys = [float(p.split(",")[1]) for p in sold.get("points", "").split()]
    assert len(ys) == len(chart.sold) - 16
    largest = max(sum(chart.sold[i : i + 17]) for i in range(len(chart.sold) - 16))
    assert largest == 264  # a whole 16-day cycle (187) and its largest day once more
    top = min(ys)  # SVG y grows downwards
    assert abs(top - (TOP + (HEIGHT - TOP - BOTTOM) * (1 - 1 / 1.05))) < 0.1


def test_the_time_axis_names_each_month_between_its_dated_ends() -> None:
    from datetime import date

    from web.chart import ChartInput, demand_chart

    chart = ChartInput(sold=[5.0] * 90, as_of=date(2026, 12, 7), period_days=1, periods=10,
                       mean=50, quantile=70, service_level=0.95, target=72, precedent=90,
                       label="SKU-1")  # fmt: skip
    svg = demand_chart(chart)
    assert "17 Sep 2026" in svg  # the first day of the rolling totals, dated
    assert ">Oct<" in svg
    assert ">Nov<" in svg
    assert "07 Dec" in svg  # the run date


def test_a_line_without_history_dates_the_run_date_once_inside_the_chart() -> None:
    """A new item has no rolling total yet: the run date is the first day, said once at
    the left, not a second time running off the chart's left edge ("c 2026")."""
    new = replace(LUMPY, sold=[3.0, 0.0, 2.0], as_of=date(2026, 12, 7), target=35.0,
                  quantile=35.0, mean=25.0, precedent=None)  # fmt: skip
    root = ET.fromstring(demand_chart(new))
    dated = re.compile(r"^\d\d [A-Z][a-z]{2}( \d{4})?$")
    axis = [t for t in root.iter(f"{SVG}text") if dated.match(t.text or "")]
    assert [t.text for t in axis] == ["07 Dec 2026", "24 Dec 2026"]
    for label in axis:  # a date ending at x is about 55 px wide: none reaches left of the plot
        x = float(label.get("x", "nan"))
        assert x >= LEFT if label.get("text-anchor") == "start" else x - 60 >= LEFT


def test_a_young_items_precedent_says_what_it_sold_so_far() -> None:
    """27 days old against a 29-day interval: no 29 days ever sold 212; the legend says it
    sold 197 in its first 27 days and that this pace over 29 days is the line drawn."""
    young = replace(
        LUMPY, sold=[197 / 27] * 27, periods=29.0, precedent=197 * 29 / 27, history_periods=27
    )
    svg = demand_chart(young)
    assert "sold 197 in its first 27 days; 29 days at that pace: 212" in svg
    assert "most ever" not in svg
    assert "sold in the 29 days to each date" not in svg  # no such line is drawn yet
    # Too long for the legend's right half: it starts a row of its own, inside the frame.
    said = next(e for e in ET.fromstring(svg).iter(f"{SVG}text") if "sold 197" in (e.text or ""))
    assert float(said.get("x", "nan")) == LEFT + 14
    assert float(said.get("y", "nan")) < HEIGHT
    older = replace(young, sold=[197 / 27] * 29, history_periods=29)
    assert "most ever in 29 days: 212" in demand_chart(older)
    assert "sold in the 29 days to each date" in demand_chart(older)
