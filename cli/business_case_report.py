"""The business case on one page: the same blocks written as Markdown and as HTML (with
the chart inline), for a finance person rather than a buyer.

Money is written by `domain.money.format_money`; a figure that is not known says so
("not known: ..."), never a zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path

from cli.business_case_chart import chart_svg
from cli.business_case_page import Block, page_blocks
from services.business_case_model import BusinessCase

_STYLE = """
body { font-family: Georgia, 'Times New Roman', serif; max-width: 860px; margin: 2em auto;
       color: #222; line-height: 1.45; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.15em; margin-top: 1.6em;
     border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; width: 100%; margin: 0.6em 0; font-size: 0.95em; }
th, td { padding: 4px 8px; border-bottom: 1px solid #e4e4e4; }
th { text-align: left; background: #f4f4f4; } td.n { text-align: right;
     font-variant-numeric: tabular-nums; white-space: nowrap; }
p.note { color: #555; font-size: 0.88em; } svg { max-width: 100%; height: auto; }
"""


@dataclass(frozen=True)
class Written:
    html: Path
    markdown: Path
    chart: Path


def write_report(case: BusinessCase, html_path: Path) -> Written:
    """The HTML page at `html_path`, its Markdown and its SVG chart beside it."""
    html_path.parent.mkdir(parents=True, exist_ok=True)
    chart = html_path.with_suffix(".svg")
    markdown = html_path.with_suffix(".md")
    svg = chart_svg(case)
    chart.write_text(svg, encoding="utf-8")
    blocks = page_blocks(case)
    markdown.write_text(render_markdown(blocks, chart.name), encoding="utf-8")
    html_path.write_text(render_html(blocks, svg), encoding="utf-8")
    return Written(html=html_path, markdown=markdown, chart=chart)


def render_markdown(blocks: list[Block], chart_file: str) -> str:
    out: list[str] = []
    for block in blocks:
        if block.kind == "h1":
            out.append(f"# {block.text}")
        elif block.kind == "h2":
            out.append(f"## {block.text}")
        elif block.kind in ("p", "note"):
            out.append(block.text)
        elif block.kind == "chart":
            out.append(f"![{block.text}]({chart_file})")
        elif block.kind == "table":
            header, *rows = block.rows
            out.append("| " + " | ".join(header) + " |")
            out.append("| " + " | ".join(["---"] + ["---:"] * (len(header) - 1)) + " |")
            out += ["| " + " | ".join(row) + " |" for row in rows]
        out.append("")
    return "\n".join(out)


def render_html(blocks: list[Block], svg: str) -> str:
    body: list[str] = []
    for block in blocks:
        if block.kind in ("h1", "h2"):
            body.append(f"<{block.kind}>{escape(block.text)}</{block.kind}>")
        elif block.kind == "p":
            body.append(f"<p>{_inline(block.text)}</p>")
        elif block.kind == "note":
            body.append(f'<p class="note">{_inline(block.text)}</p>')
        elif block.kind == "chart":
            body.append(f'<figure role="img" aria-label="{escape(block.text)}">{svg}</figure>')
        elif block.kind == "table":
            header, *rows = block.rows
            head = "".join(f"<th>{escape(h)}</th>" for h in header)
            lines = [f"<tr>{head}</tr>"]
            for row in rows:
                cells = [f"<td>{_inline(row[0])}</td>"]
                cells += [f'<td class="n">{_inline(c)}</td>' for c in row[1:]]
                lines.append(f"<tr>{''.join(cells)}</tr>")
            body.append("<table>" + "".join(lines) + "</table>")
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>Business case</title>"
        f"<style>{_STYLE}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def _inline(text: str) -> str:
    """Markdown's **bold** as <strong>, everything else escaped."""
    parts = escape(text).split("**")
    return "".join(f"<strong>{p}</strong>" if i % 2 else p for i, p in enumerate(parts))
