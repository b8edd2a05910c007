"""The business case's chart, hand-written SVG (no plotting library, no script): per
replayed week, the average inventory value (top) and the fill rate (bottom), the
product's policy beside the spreadsheet min/max.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from xml.sax.saxutils import escape

from services.business_case_model import BusinessCase

WIDTH, PANEL, LEFT, RIGHT, TOP, GAP = 760, 210, 92, 24, 84, 70
COLOURS = {"policy": "#1f6fb2", "baseline": "#d4572a"}
LABELS = {"policy": "product's policy", "baseline": "spreadsheet min/max"}


def chart_svg(case: BusinessCase) -> str:
    """Both panels, or a one-line SVG saying there is nothing to draw."""
    weeks = case.weekly
    height = TOP + 2 * PANEL + GAP + 50
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{height}" fill="white"/>',
        f'<text x="{WIDTH / 2}" y="22" text-anchor="middle" font-size="15">'
        "Inventory and fill rate per week: policy against spreadsheet</text>",
    ]
    for n, side in enumerate(COLOURS):
        x = LEFT + 230 * n
        parts.append(f'<line x1="{x}" y1="38" x2="{x + 22}" y2="38" '
                     f'stroke="{COLOURS[side]}" stroke-width="3"/>')  # fmt: skip
        parts.append(f'<text x="{x + 28}" y="42">{LABELS[side]}</text>')
    if len(weeks) < 1:
        parts.append(f'<text x="{WIDTH / 2}" y="{height / 2}" text-anchor="middle">'
                     "No replayed week to draw.</text></svg>")  # fmt: skip
        return "\n".join(parts) + "\n"
    labels = [f"{w.week_start:%d %b}" for w in weeks]
    stock = {
        "policy": [w.policy_inventory_value for w in weeks],
        "baseline": [w.baseline_inventory_value for w in weeks],
    }
    fill = {
        "policy": [w.policy_fill_rate for w in weeks],
        "baseline": [w.baseline_fill_rate for w in weeks],
    }
    high = max(max(v) for v in stock.values()) * 1.1 or 1.0
    title = f"average inventory value ({case.currency}), week starting"
    parts += _panel(TOP, labels, stock, 0.0, high, title, _money_tick)
    known = [f for values in fill.values() for f in values if f is not None]
    lowest = min(0.8, min(known, default=0.8))
    # Four gridline steps of a round size (2.5, 5, 10 or 25 points) down from 100%.
    step = next((st for st in (0.025, 0.05, 0.1, 0.25) if 1.0 - 4 * st <= lowest), 0.25)
    low = 1.0 - 4 * step
    parts += _panel(TOP + PANEL + GAP, labels, fill, low, 1.0, "fill rate, week starting",
                    "{:.1%}".format if step < 0.05 else "{:.0%}".format)  # fmt: skip
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _panel(
    top: float,
    labels: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    low: float,
    high: float,
    title: str,
    tick: Callable[[float], str],
) -> list[str]:
    bottom, right = top + PANEL, WIDTH - RIGHT
    count = len(labels)

    def x_at(i: int) -> float:
        return round(LEFT + (right - LEFT) * (i / max(count - 1, 1)), 1)

    def y_at(v: float) -> float:
        return round(bottom - (v - low) / (high - low) * PANEL, 1)

    parts = [
        f'<text x="{LEFT}" y="{top - 8}" font-weight="bold">{escape(title)}</text>',
        f'<line x1="{LEFT}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="black"/>',
        f'<line x1="{LEFT}" y1="{top}" x2="{LEFT}" y2="{bottom}" stroke="black"/>',
    ]
    for i in range(5):
        value = low + (high - low) * i / 4
        y = y_at(value)
        parts.append(f'<line x1="{LEFT}" y1="{y}" x2="{right}" y2="{y}" stroke="#e2e2e2"/>')
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4}" text-anchor="end">{escape(tick(value))}</text>'
        )
    step = max(1, count // 8)
    for i in range(0, count, step):
        parts.append(f'<text x="{x_at(i)}" y="{bottom + 16}" text-anchor="middle">'
                     f"{escape(labels[i])}</text>")  # fmt: skip
    for side, values in series.items():
        points = [(x_at(i), y_at(v)) for i, v in enumerate(values) if v is not None]
        line = " ".join(f"{px},{py}" for px, py in points)
        parts.append(f'<polyline points="{line}" fill="none" '
                     f'stroke="{COLOURS[side]}" stroke-width="2.2"/>')  # fmt: skip
        parts += [f'<circle cx="{px}" cy="{py}" r="2.8" fill="{COLOURS[side]}"/>'
                  for px, py in points]  # fmt: skip
    return parts


def _money_tick(value: float) -> str:
    """Axis ticks in thousands or millions: the table below gives the cents."""
    if value >= 1e6:
        return f"{value / 1e6:,.1f}M"
    if value >= 1e3:
        return f"{value / 1e3:,.0f}k"
    return f"{value:,.0f}"
