"""The service curves of `replenish simulate` as an SVG file: average inventory value
(x) against fill rate (y), the policy beside the spreadsheet baseline.

Hand-written SVG, no plotting library: a dozen points and two lines do not justify a
dependency, and the file opens in any browser.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

WIDTH, HEIGHT, MARGIN = 720, 460, 70
COLOURS = {"policy": "#1f6fb2", "baseline": "#d4572a"}
LABELS = {"policy": "replenish policy", "baseline": "spreadsheet min/max + safety stock"}


def write_curve_svg(curve: dict[str, list[dict[str, float]]], path: Path, title: str) -> Path:
    """Draw both curves to `path` (an .svg file) and return it."""
    points = [p for side in curve.values() for p in side]
    if not points:
        raise ValueError("no curve points to draw")
    xs = [p["avg_inventory_value"] for p in points]
    ys = [p["fill_rate"] for p in points]
    x_low, x_high = 0.0, max(xs) * 1.05 or 1.0
    y_low, y_high = min(0.5, min(ys)), 1.0

    def at(x: float, y: float) -> tuple[float, float]:
        px = MARGIN + (x - x_low) / (x_high - x_low) * (WIDTH - 2 * MARGIN)
        py = HEIGHT - MARGIN - (y - y_low) / (y_high - y_low) * (HEIGHT - 2 * MARGIN)
        return round(px, 1), round(py, 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'font-family="sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{WIDTH / 2}" y="24" text-anchor="middle" font-size="15">{escape(title)}</text>',
    ]
    parts += _axes(at, x_low, x_high, y_low, y_high)
    for n, (side, line) in enumerate(curve.items()):
        colour = COLOURS.get(side, "black")
        ordered = sorted(line, key=lambda p: p["service_target"])
        coords = [at(p["avg_inventory_value"], p["fill_rate"]) for p in ordered]
        path_points = " ".join(f"{x},{y}" for x, y in coords)
        parts.append(f'<polyline points="{path_points}" fill="none" stroke="{colour}" '
                     'stroke-width="2"/>')  # fmt: skip
        for (x, y), p in zip(coords, ordered, strict=True):
            parts.append(f'<circle cx="{x}" cy="{y}" r="3.5" fill="{colour}"/>')
            parts.append(f'<text x="{x + 5}" y="{y - 5}" fill="{colour}" font-size="10">'
                         f'{p["service_target"]:.0%}</text>')  # fmt: skip
        legend_y = MARGIN + 16 * n
        parts.append(f'<line x1="{WIDTH - 300}" y1="{legend_y}" x2="{WIDTH - 280}" '
                     f'y2="{legend_y}" stroke="{colour}" stroke-width="3"/>')  # fmt: skip
        parts.append(f'<text x="{WIDTH - 274}" y="{legend_y + 4}">'
                     f'{escape(LABELS.get(side, side))}</text>')  # fmt: skip
    parts.append("</svg>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return path


def _axes(
    at: Callable[[float, float], tuple[float, float]],
    x_low: float,
    x_high: float,
    y_low: float,
    y_high: float,
) -> list[str]:
    left, bottom = at(x_low, y_low)
    right, top = at(x_high, y_high)
    parts = [
        f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="black"/>',
        f'<line x1="{left}" y1="{bottom}" x2="{left}" y2="{top}" stroke="black"/>',
        f'<text x="{(left + right) / 2}" y="{HEIGHT - 20}" text-anchor="middle">'
        "average inventory value</text>",
        f'<text x="18" y="{(top + bottom) / 2}" text-anchor="middle" '
        f'transform="rotate(-90 18 {(top + bottom) / 2})">fill rate</text>',
    ]
    for i in range(6):
        x = x_low + (x_high - x_low) * i / 5
        px, _ = at(x, y_low)
        parts.append(f'<text x="{px}" y="{bottom + 16}" text-anchor="middle">{x:,.0f}</text>')
        y = y_low + (y_high - y_low) * i / 5
        _, py = at(x_low, y)
        parts.append(f'<text x="{left - 6}" y="{py + 4}" text-anchor="end">{y:.0%}</text>')
        parts.append(f'<line x1="{left}" y1="{py}" x2="{right}" y2="{py}" stroke="#ddd"/>')
    return parts
