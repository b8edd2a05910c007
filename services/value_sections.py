"""Sections other parts of the product add to the value report.

The hook for the shadow comparison (rollout mode `shadow`: the night's proposals against
what the buyers actually ordered, issue 23 point 4): write a function that takes the
`ReportInputs` and returns a `ReportSection` (or None when it has nothing to show), and
append it to `SECTION_BUILDERS`. The report shows each section after its own figures,
in every form (terminal, JSON, HTML page, Prefect artifact), without further changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from contracts.value_report import ReportSection
from settings import Settings
from storage.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class ReportInputs:
    """What a section may read: the database, the settings, the report's period and its
    scored lines (services.value_facts.FRAME_COLUMNS plus purchasing.value_added scores)."""

    uow_factory: Callable[[], UnitOfWork]
    settings: Settings
    since: date
    until: date
    lines: pd.DataFrame


SectionBuilder = Callable[[ReportInputs], ReportSection | None]

# Shadow comparison: append its builder here (one line), nothing else changes.
SECTION_BUILDERS: list[SectionBuilder] = []


def extra_sections(inputs: ReportInputs) -> list[ReportSection]:
    """Every registered section that has something to show, in registration order."""
    found = (builder(inputs) for builder in SECTION_BUILDERS)
    return [section for section in found if section is not None]
