"""The value report after go-live (issue 23, docs/value-report.md): what the nights
proposed, what people were asked and changed, what those changes were worth once the
demand that followed is known, and how the shelf did, per week and per category,
supplier and location.

Read-only: building the report changes nothing (the review server's page is a GET).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from contracts.value_report import ValueReport
from purchasing.realised_outcomes import latest_cover, nightly_outcomes
from purchasing.value_added import score_lines
from services.learning import learn_from_buyers, view
from services.shadow_section import shadow_section
from services.value_extracts import LaterExtracts, read_later_extracts
from services.value_facts import line_facts
from services.value_groups import outcome_rows, work_rows
from services.value_sections import ReportInputs, SectionBuilder
from settings import Settings
from storage.unit_of_work import UnitOfWork

KEYS = ["sku", "location"]
GROUPS = {"week": "week", "category": "category", "supplier": "supplier_id", "location": "location"}
# Sections other parts of the product add after the report's own figures.
SECTIONS: tuple[SectionBuilder, ...] = (shadow_section,)


@dataclass(frozen=True)
class ScoredNights:
    """The lines of the period with their scores, and what the later extracts showed."""

    lines: pd.DataFrame
    extracts: LaterExtracts
    nights: int


def scored_nights(
    uow_factory: Callable[[], UnitOfWork],
    settings: Settings,
    since: date,
    until: date,
    latest_folder: Path | None = None,
) -> ScoredNights:
    """The period's lines scored against the demand that followed them."""
    lines, nights = line_facts(uow_factory, since, until)
    extracts = read_later_extracts(nights, settings.validation, latest_folder)
    if len(lines):
        scores = score_lines(lines, extracts.demand, extracts.known_until)
        lines = lines.join(scores)
    return ScoredNights(lines, extracts, len({n["as_of"] for n in nights}))


def build_value_report(
    uow_factory: Callable[[], UnitOfWork],
    settings: Settings,
    *,
    until: date,
    weeks: int = 4,
    latest_folder: Path | None = None,
    scored: ScoredNights | None = None,
) -> ValueReport:
    """The report over the `weeks` weeks up to `until` (`scored`: those weeks' lines,
    already scored)."""
    since = until - timedelta(days=7 * weeks - 1)
    scored = scored or scored_nights(uow_factory, settings, since, until, latest_folder)
    lines, extracts = scored.lines, scored.extracts
    minutes = settings.value.minutes_per_decision
    work = {name: work_rows(lines, column, minutes) for name, column in GROUPS.items()}
    nightly, cover, pending = _outcomes(lines, extracts, since)
    outcomes = {
        name: outcome_rows(nightly, cover, column, pending) for name, column in GROUPS.items()
    }
    with uow_factory() as uow:
        proposals = [view(p) for p in uow.proposals.listed()]
    inputs = ReportInputs(uow_factory, settings, since, until, lines)
    currencies = sorted(set(lines["currency"])) if len(lines) else []
    return ValueReport(
        since=since,
        until=until,
        currency=currencies[0] if currencies else settings.currency.base,
        minutes_per_decision=minutes,
        extract_until=extracts.known_until.date() if extracts.known_until is not None else None,
        nights=scored.nights,
        total=work_rows(lines, None, minutes)[0],
        by_week=work["week"],
        by_category=work["category"],
        by_supplier=work["supplier"],
        by_location=work["location"],
        outcomes_total=outcome_rows(nightly, cover, None, pending)[0],
        outcomes_by_week=outcomes["week"],
        outcomes_by_category=outcomes["category"],
        outcomes_by_supplier=outcomes["supplier"],
        outcomes_by_location=outcomes["location"],
        proposals=proposals,
        sections=[s for s in (build(inputs) for build in SECTIONS) if s is not None],
        notes=_notes(currencies, extracts),
    )


def _outcomes(
    lines: pd.DataFrame, extracts: LaterExtracts, since: date
) -> tuple[pd.DataFrame, pd.DataFrame, date | None]:
    """Nightly outcomes and latest cover of the item-locations the period ordered for,
    with their grouping columns; and when the first unobserved night will be known."""
    if lines.empty:
        empty = pd.DataFrame(
            columns=[
                *KEYS,
                "night",
                "observed",
                "demand",
                "unserved",
                "stockout_day",
                "week",
                "category",
                "supplier_id",
            ]
        )
        return empty, empty.assign(daily_demand=[], on_hand=[], above_target_value=[]), None
    latest = lines.sort_values("order_date").drop_duplicates(KEYS, keep="last")
    attributes = latest[[*KEYS, "category", "supplier_id"]]
    stock = extracts.stock.merge(attributes[KEYS], on=KEYS, how="inner")
    stock = stock[pd.to_datetime(stock["night"]) >= pd.Timestamp(since)]
    nightly = nightly_outcomes(stock, extracts.demand, extracts.known_until).merge(
        attributes, on=KEYS, how="left"
    )
    nightly["week"] = _week(nightly["night"])
    targets = latest[[*KEYS, "target", "unit_cost"]]
    cover = latest_cover(stock, extracts.demand, targets, extracts.known_until)
    cover = cover.merge(attributes, on=KEYS, how="left")
    cover["week"] = _week(pd.to_datetime(cover["night"]))
    unobserved = nightly.loc[~nightly["observed"].astype(bool), "night"]
    pending = unobserved.min().date() if len(unobserved) else None
    return nightly, cover, pending


def _week(nights: pd.Series) -> pd.Series:
    monday = nights - pd.to_timedelta(nights.dt.weekday, unit="D")
    return "week of " + monday.dt.strftime("%Y-%m-%d")


def _notes(currencies: list[str], extracts: LaterExtracts) -> list[str]:
    notes = []
    if len(currencies) > 1:
        notes.append(f"Orders in {', '.join(currencies)}: money is added up without conversion.")
    if extracts.known_until is None:
        notes.append("No later extract could be read: no outcome is known yet.")
    return notes


def publishable_report(
    uow_factory: Callable[[], UnitOfWork], settings: Settings, until: date
) -> tuple[ValueReport, int]:
    """The monitoring flow's report: first new parameter proposals from the scored lines
    (stored, e-mailed to the administrators), then the report that shows them."""
    weeks = settings.value.report_weeks
    scored = scored_nights(uow_factory, settings, until - timedelta(days=7 * weeks - 1), until)
    proposed = learn_from_buyers(uow_factory, settings, scored.lines)
    report = build_value_report(uow_factory, settings, until=until, weeks=weeks, scored=scored)
    return report, len(proposed)
