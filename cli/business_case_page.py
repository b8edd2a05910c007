"""What the business-case page says, as blocks (headings, sentences, tables) that
`cli.business_case_report` writes as Markdown or HTML.

Written for a finance person: money first, the buyers' hours, then stock and service
against the spreadsheet; every figure is defined in docs/business-case.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.money import format_money
from services.business_case_model import BusinessCase, NightFigures

NOT_KNOWN = "not known"
_FAIR = (
    "Each rule at its own setting: the product's policy at each item's service level, the "
    "spreadsheet as a plain min/max. Serving more takes more stock, so the fair comparison "
    "of stock is at the same fill rate:"
)


@dataclass(frozen=True)
class Block:
    kind: str  # h1, h2, p, note, table, chart
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)


def page_blocks(case: BusinessCase) -> list[Block]:
    money = _money(case.currency)
    blocks = [Block("h1", "Business case: the redesigned night, replayed over history")]
    if case.totals is None or case.first_night is None:
        blocks.append(Block("p", f"No night of the last {case.weeks} weeks ordered anything: "
                                 "there is nothing to replay yet."))  # fmt: skip
        return [*blocks, *_service(case, money), *_notes(case)]
    t, n = case.totals, len(case.nights)
    blocks.append(Block("p", (
        f"{n} nights from {case.first_night:%d %b %Y} to {case.last_night:%d %b %Y} "
        f"({case.weeks} weeks), {case.item_locations:,} item-locations, replayed from the "
        f"extract of {case.as_of:%d %b %Y}. Each night the product's own plan, exception "
        "rules and routing decide what goes straight to the ERP and what waits for a buyer."
    )))  # fmt: skip
    blocks.append(Block("p", (
        f"**{_pct(case.auto_approved_value_share)} of the value** "
        f"({money(t.auto_approved_value)} of {money(t.value)}) and "
        f"**{_pct(case.auto_approved_line_share)} of the lines** would have gone to the ERP "
        f"without a person. Buyers would have taken **{_count(t.decisions, 'decision')}**, "
        f"**{case.buyer_hours:,.1f} hours** at {case.minutes_per_decision:g} minutes each, "
        f"against {case.buyer_hours_checking_every_line:,.1f} hours to check every line."
    )))  # fmt: skip
    blocks.append(Block("h2", "Work taken off the buyers"))
    blocks.append(Block("table", rows=[
        ["", f"{n} nights", "per night"],
        ["Lines proposed", f"{t.lines:,}", f"{t.lines / n:,.0f}"],
        ["Value proposed", money(t.value), money(t.value / n)],
        ["Lines auto-approved",
         f"{t.auto_approved_lines:,} ({_pct(case.auto_approved_line_share)})",
         f"{t.auto_approved_lines / n:,.0f}"],
        ["Value auto-approved", f"{money(t.auto_approved_value)} "
         f"({_pct(case.auto_approved_value_share)})", money(t.auto_approved_value / n)],
        ["Decisions for a person (orders held)", f"{t.decisions:,}", f"{t.decisions / n:,.1f}"],
        ["Lines and value in them", f"{t.lines_to_people:,}, {money(t.value_to_people)}",
         f"{t.lines_to_people / n:,.0f}"],
        ["Buyer time", f"{case.buyer_hours:,.1f} h", f"{t.buyer_minutes / n:,.0f} min"],
        ["Buyer time to check every line", f"{case.buyer_hours_checking_every_line:,.1f} h",
         f"{t.lines * case.minutes_per_decision / n:,.0f} min"],
    ]))  # fmt: skip
    blocks.append(Block("p", f"Why orders were held (orders per reason; docs/flag-rules.md): "
                             f"{_reasons(t.held_by_reason)}."))  # fmt: skip
    blocks += _service(case, money)
    blocks.append(Block("h2", "Night by night"))
    blocks.append(Block("table", rows=[
        ["Night", "Lines", "Auto-approved lines", "Auto-approved value", "Decisions",
         "Buyer minutes"],
        *(_night_row(night, money) for night in case.nights),
    ]))  # fmt: skip
    return [*blocks, *_notes(case)]


def _service(case: BusinessCase, money: _Money) -> list[Block]:
    p, b, e = case.policy, case.baseline, case.equal_fill
    saving = (
        f"**{_pct(e.saving)}** ({money(e.saving_amount)} of {money(e.baseline_inventory_value)}) "
        f"at the fill rate of {_pct(e.baseline_fill_rate)}"
        if e.saving is not None and e.saving_amount is not None
        else f"{NOT_KNOWN}: the policy's curve never reaches the fill rate the spreadsheet "
        "serves at its 95% setting"
    )
    lowest = (
        f"; at least {_pct(e.lowest_saving)} at every fill rate the spreadsheet reaches"
        if e.lowest_saving is not None else ""
    )  # fmt: skip
    rows = [
        ["", "Product's policy", "Spreadsheet min/max", "Policy minus spreadsheet"],
        ["Fill rate (demand served from stock)", _pct(p.fill_rate), _pct(b.fill_rate),
         _points(p.fill_rate, b.fill_rate)],
        ["Item-location days with a stock-out", f"{p.stockout_periods:,}",
         f"{b.stockout_periods:,}", f"{p.stockout_periods - b.stockout_periods:+,}"],
        ["Average inventory value", money(p.avg_inventory_value),
         money(b.avg_inventory_value), money(-case.inventory_difference)],
    ]  # fmt: skip
    return [
        Block("h2", "Stock and service against the spreadsheet"),
        Block("table", rows=rows),
        Block("p", _FAIR),
        Block("p", f"Inventory saving at equal fill: {saving}{lowest}."),
        Block("chart", "Inventory value and fill rate per week, policy against spreadsheet"),
    ]


def _notes(case: BusinessCase) -> list[Block]:
    return [
        Block("note", (
            f"Demand estimates: {case.estimates}. Every order is assumed approved as "
            "proposed; supplier order days are not replayed (each item is reviewed on its "
            "own review nights); rules that read the forecasting engine's backtest or "
            "tonight's quarantined rows stay silent. Definitions: docs/business-case.md. "
            f"Computed in {case.seconds:,.0f} s."
        )),
    ]  # fmt: skip


def _night_row(night: NightFigures, money: _Money) -> list[str]:
    return [
        f"{night.night:%a %d %b %Y}", f"{night.lines:,}", f"{night.auto_approved_lines:,}",
        money(night.auto_approved_value), f"{night.decisions:,}", f"{night.buyer_minutes:,.0f}",
    ]  # fmt: skip


class _Money:
    def __init__(self, currency: str) -> None:
        self.currency = currency

    def __call__(self, amount: float | None) -> str:
        return NOT_KNOWN if amount is None else format_money(amount, self.currency)


def _money(currency: str) -> _Money:
    return _Money(currency)


def _pct(share: float | None) -> str:
    return NOT_KNOWN if share is None else f"{share:.1%}"


def _points(policy: float | None, baseline: float | None) -> str:
    if policy is None or baseline is None:
        return NOT_KNOWN
    return f"{(policy - baseline) * 100:+.1f} points"


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _reasons(reasons: dict[str, int]) -> str:
    """`unusual order 12, large line value 3`, most frequent first."""
    ranked = sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{code.lower().replace('_', ' ')} {n:,}" for code, n in ranked) or "none"
