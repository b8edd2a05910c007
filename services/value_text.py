"""The value report in words and Markdown tables: the terminal (`replenish report`), the
monitoring flow's artifact and the e-mail to administrators read the same text.

Unknown figures are written as what they are ("known after 2026-12-20", "not known
yet"), never as 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from contracts.value_report import OutcomeFigures, ValueReport, WorkFigures
from domain.money import format_amount

WORK_HEADER = [
    "",
    "lines",
    "value",
    "auto-approved",
    "decisions (min)",
    "checking all (min)",
    "changes up/down",
    "change value",
    "changes helped",
    "saved (+) / cost (-)",
]
OUTCOME_HEADER = ["", "item-locations", "nights", "stock-out days", "fill rate",
                  "days of supply", "stock above target"]  # fmt: skip


def render_markdown(report: ValueReport) -> str:
    """The whole report: headline, the groupings, outcomes, proposals, extra sections."""
    t, cur = report.total, report.currency
    known = report.extract_until.isoformat() if report.extract_until else "no extract read"
    parts = [
        f"# What the nights were worth, {report.since} to {report.until}",
        "",
        f"{report.nights} nights; demand known up to {known}; "
        f"{report.minutes_per_decision:g} minutes per decision.",
        "",
        *_headline(t, cur),
        "",
        "## Lines proposed per week (# auto-approved, + sent to a person)",
        "",
        *_chart(report.by_week),
        "",
        "## Orders, decisions and people's changes",
    ]
    for title, rows in (
        ("week", report.by_week),
        ("category", report.by_category),
        ("supplier", report.by_supplier),
        ("location", report.by_location),
    ):
        parts += [
            "",
            f"### Per {title}",
            "",
            *_table(WORK_HEADER, [_work(r, cur) for r in [*rows, t]]),
        ]
    parts += ["", "## Realised outcomes (from later extracts)"]
    for title, outcomes in (("week", report.outcomes_by_week),
                            ("category", report.outcomes_by_category),
                            ("supplier", report.outcomes_by_supplier),
                            ("location", report.outcomes_by_location)):  # fmt: skip
        cells = [_outcome(o, cur, title == "week") for o in outcomes]
        cells.append(_outcome(report.outcomes_total, cur, False))
        parts += ["", f"### Per {title}", "", *_table(OUTCOME_HEADER, cells)]
    parts += ["", "## Parameter changes learnt from buyers", "", *_proposals(report)]
    for section in report.sections:
        parts += ["", f"## {section.title}", "", section.summary]
        if section.columns:
            parts += ["", *_table(section.columns, section.rows)]
    if report.notes:
        parts += ["", *[f"- {note}" for note in report.notes]]
    return "\n".join(parts) + "\n"


def _headline(t: WorkFigures, cur: str) -> list[str]:
    share = _share(t.auto_approved_share)
    lines = [
        f"- {t.lines} lines proposed worth {cur} {format_amount(t.value)}; {share} auto-approved.",
        f"- {t.decisions_asked} decisions asked of people ({t.minutes_asked:g} minutes) "
        f"instead of checking every line ({t.minutes_every_line:g} minutes): "
        f"{t.minutes_every_line - t.minutes_asked:g} minutes saved.",
        f"- People changed {t.changes} lines ({t.changes_up} up, {t.changes_down} down), "
        f"{_signed(t.change_value, cur)}.",
    ]
    if t.changes_scored:
        lines.append(
            f"- Of {t.changes_scored} changes scored against the demand that followed, "
            f"{t.changes_helped} helped and {t.changes_hurt} hurt: {_saved(t.money_saved, cur)}."
        )
    if t.changes_waiting:
        lines.append(f"- {t.changes_waiting} changes not scored yet: outcome known after "
                     f"{t.known_after}.")  # fmt: skip
    return lines


def _chart(weeks: Sequence[WorkFigures], width: int = 40) -> list[str]:
    """A text bar chart: reads the same in a terminal, an e-mail and a Prefect artifact."""
    if not weeks:
        return ["No lines proposed in these weeks."]
    top = max(w.lines for w in weeks) or 1
    rows = []
    for w in weeks:
        auto = round(width * w.auto_approved_lines / top)
        asked = round(width * w.lines / top) - auto
        rows.append(f"{w.key.removeprefix('week of ')}  {'#' * auto}{'+' * asked} {w.lines}")
    return ["```", *rows, "```"]


def _work(r: WorkFigures, cur: str) -> list[str]:
    helped = (f"{r.changes_helped} of {r.changes_scored}" if r.changes_scored
              else _waiting(r.changes, r.known_after))  # fmt: skip
    saved = (
        _saved(r.money_saved, cur)
        if r.money_saved is not None
        else _waiting(r.changes, r.known_after)
    )
    return [
        r.key,
        str(r.lines),
        format_amount(r.value),
        _share(r.auto_approved_share),
        f"{r.decisions_asked} ({r.minutes_asked:g})",
        f"{r.minutes_every_line:g}",
        f"{r.changes_up}/{r.changes_down}",
        _signed(r.change_value, cur),
        helped,
        saved,
    ]


def _outcome(o: OutcomeFigures, cur: str, weekly: bool) -> list[str]:
    """A row of outcomes; in the weekly table, days of supply and stock above target
    (taken from the latest stock) show only in the week of that stock."""
    later = f"known after {o.known_after}" if o.known_after else "not known yet"
    if weekly and o.days_of_supply is None and o.above_target_value is None:
        stock_cells = ["in the latest week", "in the latest week"]
    else:
        stock_cells = [
            "not known yet" if o.days_of_supply is None else f"{o.days_of_supply:g}",
            "not known yet"
            if o.above_target_value is None
            else f"{cur} {format_amount(o.above_target_value)}",
        ]
    return [
        o.key, str(o.item_locations), str(o.nights_observed),
        later if o.stockout_days is None else str(o.stockout_days),
        later if o.fill_rate is None else f"{o.fill_rate:.1%}",
        *stock_cells,
    ]  # fmt: skip


def _proposals(report: ValueReport) -> list[str]:
    if not report.proposals:
        return ["None: no scope has enough changes in one direction that helped."]
    bound = {"up": "at least", "down": "at most"}
    rows = [[str(p.id), f"{p.scope} {p.scope_key}", p.parameter,
             "" if p.current_value is None else f"{p.current_value:g}",
             f"{bound.get(p.direction, '')} {p.proposed_value:g}".strip(),
             p.status + (f" by {p.decided_by} {p.decided_at}" if p.decided_by else ""), p.reason]
            for p in report.proposals]  # fmt: skip
    header = ["id", "scope", "parameter", "now", "proposed", "status", "why"]
    return [*_table(header, rows), "",
            "A proposal takes effect only once an administrator accepts it: "
            "`replenish proposals accept ID --as ADMIN`."]  # fmt: skip


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + [
        "| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows
    ]


def _share(value: float | None) -> str:
    return "none to judge" if value is None else f"{value:.1%}"


def _signed(amount: Decimal, cur: str) -> str:
    sign = "+" if amount > 0 else "-" if amount < 0 else ""
    return f"{sign}{cur} {format_amount(abs(amount))}"


def _saved(amount: Decimal | None, cur: str) -> str:
    if amount is None:
        return "not known yet"
    return (
        f"{cur} {format_amount(amount)} saved"
        if amount >= 0
        else f"{cur} {format_amount(-amount)} cost"
    )


def _waiting(changes: int, known_after: date | None) -> str:
    if changes == 0:
        return "no changes"
    return f"known after {known_after}" if known_after else "not known yet"
