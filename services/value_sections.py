"""What a section other parts of the product add to the value report reads and returns.

A section is a function taking the `ReportInputs` and returning a `ReportSection` (or
None when it has nothing to show), listed in `services.value_report.SECTIONS` (today the
shadow comparison, `services.shadow_section`). The report shows each section after its
own figures, in every form (terminal, JSON, HTML page, Prefect artifact).
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
