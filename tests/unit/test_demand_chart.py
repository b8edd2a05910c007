"""The item chart on the review page: an SVG of numbers only, sold then forecast and band."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from approvals.web.chart import HEIGHT, demand_chart

SVG = "{http://www.w3.org/2000/svg}"


def test_nothing_to_draw_draws_nothing() -> None:
    assert demand_chart([], [], None, "x") == ""


def test_history_forecast_and_band_are_drawn_inside_the_frame() -> None:
    svg = demand_chart([3, 0, 5, 2], [2.5, 2.5, 2.5], 1.0, 'Demand of <SKU "1">')
    root = ET.fromstring(svg)  # well-formed XML, the label escaped
    assert root.find(f"{SVG}title").text == 'Demand of <SKU "1">'
    lines = root.findall(f"{SVG}polyline")
    assert len(lines) == 2  # sold, forecast
    band = root.find(f"{SVG}polygon")
    assert band is not None
    ys = [float(y) for y in re.findall(r",(-?[\d.]+)", band.get("points", ""))]
    assert all(0 <= y <= HEIGHT for y in ys)
    assert "<script" not in svg
    assert "href" not in svg  # nothing fetched from anywhere


def test_no_band_without_a_spread() -> None:
    svg = demand_chart([1, 2], [2, 2], None, "x")
    assert "<polygon" not in svg
    assert "90% band" not in svg
