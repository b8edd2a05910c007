"""A small chart of one item: what sold, what is forecast, and the band around it.

Pure and server-side: an SVG string built from numbers only (no script, no font or
asset from elsewhere, nothing the page's Content-Security-Policy would have to allow).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

WIDTH, HEIGHT = 560, 150
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 10, 22
Z90 = 1.645  # two-sided 90% band of a normal forecast error


def demand_chart(
    history: Sequence[float], forecast: Sequence[float], spread: float | None, label: str
) -> str:
    """SVG of `history` (as sold, oldest first) then `forecast` with its 90% band.

    Returns "" when there is nothing to draw, so the page simply shows no chart.
    """
    if not history and not forecast:
        return ""
    width = Z90 * spread if spread else 0.0
    upper = [f + width for f in forecast]
    lower = [max(f - width, 0.0) for f in forecast]
    top = max([*history, *upper, 1.0])
    count = len(history) + len(forecast)
    step = (WIDTH - LEFT - RIGHT) / max(count - 1, 1)

    def x(i: int) -> float:
        return LEFT + i * step

    def y(v: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - v / top)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{_attr(label)}">',
        f"<title>{_attr(label)}</title>",
        _axes(top, y),
    ]
    start = len(history)
    if forecast and width:
        band = [(x(start + i), y(v)) for i, v in enumerate(upper)]
        band += [(x(start + i), y(v)) for i, v in reversed(list(enumerate(lower)))]
        parts.append(f'<polygon points="{_points(band)}" fill="#c9def5" stroke="none"/>')
    if history:
        sold = [(x(i), y(v)) for i, v in enumerate(history)]
        parts.append(_line(sold, "#444", "1.2"))
    if forecast:
        # Joined to the last day sold, so the eye follows one line into the future.
        joint = [(x(start - 1), y(history[-1]))] if history else []
        path = joint + [(x(start + i), y(v)) for i, v in enumerate(forecast)]
        parts.append(_line(path, "#1f5fa8", "2"))
        today = x(start) - step / 2
        parts.append(
            f'<line x1="{today:.1f}" y1="{TOP}" x2="{today:.1f}" y2="{HEIGHT - BOTTOM}" '
            'stroke="#999" stroke-dasharray="3 3"/>'
        )
    parts.append(_legend(len(history), len(forecast), bool(width)))
    parts.append("</svg>")
    return "".join(parts)


def _axes(top: float, y: Callable[[float], float]) -> str:
    base = HEIGHT - BOTTOM
    return (
        f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" stroke="#bbb"/>'
        f'<text x="{LEFT - 4}" y="{y(top) + 4:.1f}" font-size="10" text-anchor="end" '
        f'fill="#555">{_number(top)}</text>'
        f'<text x="{LEFT - 4}" y="{base + 3}" font-size="10" text-anchor="end" fill="#555">0</text>'
    )


def _legend(sold: int, ahead: int, band: bool) -> str:
    y = HEIGHT - 6
    items = []
    if sold:
        items.append(("#444", f"sold, last {sold} periods"))
    if ahead:
        items.append(("#1f5fa8", f"forecast, next {ahead}"))
    if band:
        items.append(("#c9def5", "90% band"))
    out, x = [], LEFT
    for colour, text in items:
        out.append(f'<rect x="{x}" y="{y - 8}" width="10" height="8" fill="{colour}"/>')
        out.append(f'<text x="{x + 14}" y="{y}" font-size="10" fill="#333">{text}</text>')
        x += 14 + 6 * len(text) + 16
    return "".join(out)


def _line(points: list[tuple[float, float]], colour: str, width: str) -> str:
    return (
        f'<polyline points="{_points(points)}" fill="none" stroke="{colour}" '
        f'stroke-width="{width}" stroke-linejoin="round"/>'
    )


def _points(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{px:.1f},{py:.1f}" for px, py in points)


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def _attr(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
