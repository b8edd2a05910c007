"""A small chart of one line, in the units the quantity is decided in: demand over the
protection interval (lead time + review period).

What a buyer must judge is a total, so everything is drawn as one: what sold in each
rolling window of that length up to each date, the interval ahead with its expected
demand and the demand the line's service level covers, the stock target, and the most
the item ever sold in such a window (the precedent). A per-day line next to a target of
two thousand would hide the very comparison that matters.

Pure and server-side: an SVG string built from numbers only (no script, no font or
asset from elsewhere, nothing the page's Content-Security-Policy would have to allow).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from forecasting.plausibility import young_item_sales

if TYPE_CHECKING:
    from services.review_pages import LineView

WIDTH, HEIGHT = 560, 190
LEGEND_COLUMN_CHARS = 40  # what fits in half the legend's width at its font size
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 58
SOLD, EXPECTED, BAND, TARGET, PRECEDENT = "#444", "#1f5fa8", "#c9def5", "#c25400", "#8a1c7c"


@dataclass(frozen=True)
class ChartInput:
    """One line's numbers. `sold` is per period, oldest first, ending the period before
    `as_of`; totals (`mean`, `quantile`, `target`, `precedent`) are over `periods`."""

    sold: Sequence[float]
    as_of: date
    period_days: float
    periods: float
    mean: float
    quantile: float
    service_level: float
    target: float | None
    precedent: float | None
    label: str
    # Periods since the first sale: an item younger than one interval has no real
    # precedent, only its sales so far scaled up (`forecasting.plausibility`).
    history_periods: int | None = None


def chart_input(line: LineView) -> ChartInput | None:
    """The chart's numbers from a review-page line; None when its forecast is unknown."""
    numbers = line.numbers
    if not line.protection_periods or not line.period_days or line.as_of is None:
        return None
    return ChartInput(
        sold=line.history,
        as_of=line.as_of,
        period_days=line.period_days,
        periods=line.protection_periods,
        mean=_float(numbers.get("demand_mean")) or 0.0,
        quantile=_float(numbers.get("demand_quantile")) or 0.0,
        service_level=_float(numbers.get("service_level")) or 0.0,
        target=_float(numbers.get("target")),
        precedent=_float(numbers.get("precedent")),
        history_periods=line.history_periods,
        label=f"Demand of {line.sku} over its protection interval",
    )


def _float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def demand_chart(chart: ChartInput) -> str:
    """SVG of the rolling totals sold, the interval ahead, the target and the precedent;
    "" when there is nothing to draw, so the page simply shows no chart."""
    window = max(1, round(chart.periods))
    sold = list(chart.sold)
    rolling = [sum(sold[i - window + 1 : i + 1]) for i in range(window - 1, len(sold))]
    if not rolling and chart.mean <= 0 and not chart.target:
        return ""
    first = window - 1 if rolling else len(sold)
    last = len(sold) + window
    levels = [*rolling, chart.quantile, chart.target or 0.0, chart.precedent or 0.0, 1.0]
    top = max(levels) * 1.05

    def x(i: float) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (i - first) / max(last - first, 1)

    def y(v: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - v / top)

    now = x(len(sold) - 0.5)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" aria-label="{_attr(chart.label)}">',
        f"<title>{_attr(chart.label)}</title>",
        f'<rect x="{now:.1f}" y="{y(chart.quantile):.1f}" width="{x(last) - now:.1f}" '
        f'height="{y(0) - y(chart.quantile):.1f}" fill="{BAND}"/>',
        _hline(now, x(last), y(chart.mean), EXPECTED, "2", ""),
    ]
    if rolling:
        points = " ".join(f"{x(first + i):.1f},{y(v):.1f}" for i, v in enumerate(rolling))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{SOLD}" stroke-width="1.4"/>'
        )
    if chart.precedent:
        parts.append(_hline(x(first), x(last), y(chart.precedent), PRECEDENT, "1.2", "2 3"))
    if chart.target:
        parts.append(_hline(x(first), x(last), y(chart.target), TARGET, "1.6", "6 3"))
    parts.append(
        f'<line x1="{now:.1f}" y1="{TOP}" x2="{now:.1f}" y2="{y(0):.1f}" stroke="#999" '
        'stroke-dasharray="3 3"/>'
    )
    parts.append(_axes(chart, top, y, [(x(first), first), (now, len(sold)), (x(last), last)]))
    parts.append(_legend(chart, sold_line=bool(rolling)))
    parts.append("</svg>")
    return "".join(parts)


def _axes(
    chart: ChartInput, top: float, y: Callable[[float], float], ticks: list[tuple[float, int]]
) -> str:
    base = y(0)
    out = [
        f'<line x1="{LEFT}" y1="{base:.1f}" x2="{WIDTH - RIGHT}" y2="{base:.1f}" stroke="#bbb"/>',
        _text(LEFT - 4, y(top) + 8, _number(top), "end"),
        _text(LEFT - 4, base + 3, "0", "end"),
    ]
    # First day, the run date (ending at the dashed line) and the end of the interval
    # ahead (ending at the right edge); without the year when the interval is too narrow
    # for two full dates side by side. A line with little or no history starts at the
    # run date: that date is said once, at the left (ending at the dashed line, it ran
    # off the chart's left edge).
    short = ticks[2][0] - ticks[1][0] < 80
    dated = list(zip(ticks, ("start", "end", "end"), strict=True))
    if ticks[1][0] - ticks[0][0] < 70:
        del dated[1]
    for (px, period), anchor in dated:
        day = chart.as_of + timedelta(days=(period - len(chart.sold)) * chart.period_days)
        label = day.strftime("%d %b" if short and anchor == "end" else "%d %b %Y")
        out.append(_text(px, base + 13, label, anchor))
    out += _month_ticks(chart, ticks, base)
    return "".join(out)


def _month_ticks(chart: ChartInput, ticks: list[tuple[float, int]], base: float) -> list[str]:
    """A small tick and the month's name at each first of the month between the first
    day and the run date, where it does not crowd the dated labels."""
    (x0, p0), (x1, p1) = ticks[0], ticks[1]
    if p1 <= p0 or not chart.period_days:
        return []
    start = chart.as_of + timedelta(days=(p0 - len(chart.sold)) * chart.period_days)
    per_day = (x1 - x0) / ((p1 - p0) * chart.period_days)
    out = []
    month = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    while month < chart.as_of:
        px = x0 + (month - start).days * per_day
        if px - x0 > 70 and x1 - px > 45:  # clear of "04 Sep 2026" and "25 Nov"
            out.append(
                f'<line x1="{px:.1f}" y1="{base:.1f}" x2="{px:.1f}" y2="{base + 4:.1f}" '
                'stroke="#999"/>'
            )
            out.append(_text(px, base + 13, month.strftime("%b"), "middle"))
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return out


def _legend(chart: ChartInput, *, sold_line: bool) -> str:
    days = _number(chart.periods * chart.period_days)
    level = f"{chart.service_level * 100:.0f}%"
    # The line of rolling totals needs one whole interval of sales: a younger item's
    # legend does not name a line the chart does not draw.
    items = [(SOLD, f"sold in the {days} days to each date")] if sold_line else []
    items += [
        (EXPECTED, f"expected next {days} days: {_number(chart.mean)}"),
        (BAND, f"{level} service level covers {_number(chart.quantile)}"),
    ]
    if chart.target:
        items.append((TARGET, f"stock target {_number(chart.target)}"))
    if chart.precedent:
        items.append((PRECEDENT, _precedent_words(chart, days)))
    out = []
    slot = 0  # two entries a row; one too long for half the width takes a row of its own
    for colour, text in items:
        wide = len(text) > LEGEND_COLUMN_CHARS
        if wide and slot % 2:
            slot += 1
        px, py = LEFT + (slot % 2) * 250, HEIGHT - 30 + (slot // 2) * 12
        out.append(f'<rect x="{px}" y="{py - 8}" width="10" height="8" fill="{colour}"/>')
        out.append(_text(px + 14, py, text, "start"))
        slot += 2 if wide else 1
    return "".join(out)


def _precedent_words(chart: ChartInput, days: str) -> str:
    """The precedent line's legend: the most sold in as many days, or, for an item younger
    than that, what it sold so far and that pace over the interval (the line drawn)."""
    precedent = chart.precedent or 0.0
    sold = young_item_sales(precedent, chart.periods, chart.history_periods)
    if sold is None:
        return f"most ever in {days} days: {_number(precedent)}"
    lived = _number((chart.history_periods or 0) * chart.period_days)
    return (
        f"sold {_number(sold)} in its first {lived} days; "
        f"{days} days at that pace: {_number(precedent)}"
    )


def _hline(x1: float, x2: float, y: float, colour: str, width: str, dash: str) -> str:
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{x1:.1f}" y1="{y:.1f}" x2="{x2:.1f}" y2="{y:.1f}" stroke="{colour}" '
        f'stroke-width="{width}"{dashed}/>'
    )


def _text(x: float, y: float, text: str, anchor: str) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="10" text-anchor="{anchor}" fill="#333">'
        f"{_attr(text)}</text>"
    )


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:.1f}"


def _attr(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
