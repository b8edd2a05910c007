"""The value report (issue 23): one typed model, built by `services.value_report`,
shown by the CLI, the monitoring flow's artifact and the review server's page.

A figure that cannot be known yet is None with the day it will be (`known_after`),
never a zero: docs/value-report.md defines every field.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field


class WorkFigures(BaseModel):
    """Proposals, approvals, decisions and people's changes for one group of lines."""

    key: str
    lines: int
    value: Decimal
    auto_approved_lines: int
    auto_approved_share: float | None
    decisions_asked: int
    decisions_taken: int
    minutes_asked: float
    minutes_every_line: float
    changes: int
    changes_up: int
    changes_down: int
    change_value: Decimal  # signed: what people added (+) or took off (-) the proposals
    changes_scored: int
    changes_helped: int
    changes_hurt: int
    helped_share: float | None
    money_saved: Decimal | None  # + saved, - cost; None until a change is scored
    units_short_proposed: float | None
    units_short_chosen: float | None
    excess_value_proposed: Decimal | None
    excess_value_chosen: Decimal | None
    changes_waiting: int
    known_after: date | None  # when the last change not scored yet will be


class OutcomeFigures(BaseModel):
    """How the shelf did, read from later extracts, for one group of item-locations."""

    key: str
    item_locations: int
    nights_observed: int
    stockout_days: int | None
    fill_rate: float | None
    days_of_supply: float | None
    above_target_value: Decimal | None
    known_after: date | None


class ProposalView(BaseModel):
    """A parameter change learnt from buyers, as the owner sees it."""

    id: int
    scope: str
    scope_key: str
    parameter: str
    current_value: float | None
    proposed_value: float
    direction: str  # "up": a floor ("at least"), "down": a ceiling ("at most")
    reason: str
    status: str
    decided_by: str | None = None
    decided_at: str | None = None


class ReportSection(BaseModel):
    """A section another part of the product adds (the shadow comparison of rollout
    mode `shadow`, ...): a title, a sentence and a table, shown after the figures."""

    key: str
    title: str
    summary: str
    columns: list[str] = Field(default_factory=list)
    rows: list[list[str]] = Field(default_factory=list)


class ValueReport(BaseModel):
    """Everything the report shows, per week and per category, supplier and location."""

    since: date
    until: date
    currency: str
    minutes_per_decision: float
    extract_until: date | None  # the last day of demand the extracts show
    nights: int
    total: WorkFigures
    by_week: list[WorkFigures]
    by_category: list[WorkFigures]
    by_supplier: list[WorkFigures]
    by_location: list[WorkFigures]
    outcomes_total: OutcomeFigures
    outcomes_by_week: list[OutcomeFigures]
    outcomes_by_category: list[OutcomeFigures]
    outcomes_by_supplier: list[OutcomeFigures]
    outcomes_by_location: list[OutcomeFigures]
    proposals: list[ProposalView]
    sections: list[ReportSection] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
