"""The value page's chart: per week, the lines proposed, split into auto-approved and
sent to a person, drawn as inline SVG from numbers only (no text from a data file goes
into it except the week's label, escaped), so the page needs no script and no image from
elsewhere (the CSP allows neither)."""

from __future__ import annotations

from html import escape

from contracts.value_report import WorkFigures

WIDTH, HEIGHT, PAD = 640, 220, 36
AUTO, ASKED = "#2f6f4f", "#d9a441"


def weekly_chart(weeks: list[WorkFigures]) -> str:
    """An SVG bar chart; "" when there is no week to draw."""
    if not weeks:
        return ""
    top = max(w.lines for w in weeks) or 1
    slot = (WIDTH - 2 * PAD) / len(weeks)
    bar = min(slot * 0.6, 80.0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="Lines proposed per week: auto-approved and sent to a person">'
    ]
    base = HEIGHT - PAD
    for i, week in enumerate(weeks):
        x = PAD + i * slot + (slot - bar) / 2
        auto_h = (base - PAD) * week.auto_approved_lines / top
        asked_h = (base - PAD) * (week.lines - week.auto_approved_lines) / top
        parts.append(f'<rect x="{x:.1f}" y="{base - auto_h:.1f}" width="{bar:.1f}" '
                     f'height="{auto_h:.1f}" fill="{AUTO}"/>')  # fmt: skip
        parts.append(f'<rect x="{x:.1f}" y="{base - auto_h - asked_h:.1f}" width="{bar:.1f}" '
                     f'height="{asked_h:.1f}" fill="{ASKED}"/>')  # fmt: skip
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{base - auto_h - asked_h - 4:.1f}" '
                     f'font-size="11" text-anchor="middle">{week.lines}</text>')  # fmt: skip
        label = escape(week.key.removeprefix("week of "))
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{base + 14:.1f}" font-size="11" '
                     f'text-anchor="middle">{label}</text>')  # fmt: skip
    parts.append(f'<line x1="{PAD}" y1="{base}" x2="{WIDTH - PAD}" y2="{base}" stroke="#555"/>')
    parts.append(
        f'<rect x="{PAD}" y="8" width="10" height="10" fill="{AUTO}"/>'
        f'<text x="{PAD + 14}" y="17" font-size="11">auto-approved lines</text>'
        f'<rect x="{PAD + 150}" y="8" width="10" height="10" fill="{ASKED}"/>'
        f'<text x="{PAD + 164}" y="17" font-size="11">lines sent to a person</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
