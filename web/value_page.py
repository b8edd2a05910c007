"""The value report as one HTML page: served by the review server at an administrator's
signed link (`/value/TOKEN`), or written to a file by `replenish report --html FILE`.

Everything shown is escaped by the template; the chart is SVG built from numbers. The
served page links its stylesheet (the CSP forbids inline styles); the file carries it
inline, since a file opened from disk has no server to fetch it from.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from contracts.value_report import ValueReport
from domain.money import format_amount
from web.value_chart import weekly_chart

_pages = Environment(
    loader=PackageLoader("web", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_pages.filters["money"] = lambda v: "not known yet" if v is None else format_amount(Decimal(v))
_pages.filters["share"] = lambda v: "none to judge" if v is None else f"{v:.1%}"
_pages.filters["num"] = lambda v: "not known yet" if v is None else f"{v:g}"


def stylesheet() -> str:
    return str(_pages.loader.get_source(_pages, "value.css")[0])  # type: ignore[union-attr]


def render_page(
    report: ValueReport,
    *,
    served: bool = False,
    root: str = "",
    person: str | None = None,
    token: str = "",
    csrf: str = "",
    can_decide: bool = False,
    message: str = "",
) -> str:
    """The page; `served` links the stylesheet, else it is inlined (a file)."""
    context: dict[str, Any] = {
        "r": report,
        "t": report.total,
        "cur": report.currency,
        "chart": Markup(weekly_chart(report.by_week)),
        "served": served,
        "root": root,
        "css": "" if served else Markup(stylesheet()),
        "person": person,
        "token": token,
        "csrf": csrf,
        "can_decide": can_decide,
        "message": message,
        "groups": [("week", report.by_week), ("category", report.by_category),
                   ("supplier", report.by_supplier), ("location", report.by_location)],
        "outcomes": [("week", report.outcomes_by_week), ("category", report.outcomes_by_category),
                     ("supplier", report.outcomes_by_supplier),
                     ("location", report.outcomes_by_location)],
    }  # fmt: skip
    return _pages.get_template("value.html").render(context)
