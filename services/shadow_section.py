"""The shadow comparison as a section of the value report: the latest shadow night of the
report's period against the buyers' orders in the extracts of the nights after it.

Shadow mode is only worth this comparison, so the business owner reads it where they
read the rest of what the nights were worth. Before a later night has read an extract,
the buyers' side is not known yet, and the section says so instead of showing zeros.
"""

from __future__ import annotations

from pathlib import Path

from contracts.value_report import ReportSection
from domain.money import format_totals
from integrations.sources.base import CsvFolderSource
from services.shadow_comparison import NoShadowNight, compare_shadow_night
from services.value_sections import ReportInputs
from storage import value_reads

KEY = "shadow"
TITLE = "Shadow mode: the product's proposals against what the buyers ordered"
COLUMNS = [
    "",
    "item-locations",
    "units proposed",
    "units ordered",
    "value proposed",
    "value ordered",
]


def shadow_section(inputs: ReportInputs) -> ReportSection | None:
    """None when the period holds no shadow night (nothing to show)."""
    with inputs.uow_factory() as uow:
        run_id = uow.orders.latest_shadow_run()
        night = uow.runs.get(run_id) if run_id else None
        if night is None or not inputs.since <= night.as_of <= inputs.until:
            return None
        later = [
            Path(n["source"])
            for n in value_reads.nights(uow.session, night.as_of)
            if n["as_of"] > night.as_of and isinstance(n["source"], str)
            and Path(n["source"]).is_dir()
        ]  # fmt: skip
    if not later:
        return ReportSection(
            key=KEY, title=TITLE,
            summary=f"The shadow night of {night.as_of} proposed orders; what the buyers "
            "ordered instead is known after the next night reads a new extract.",
        )  # fmt: skip
    try:
        found = compare_shadow_night(
            inputs.uow_factory, [CsvFolderSource(p) for p in dict.fromkeys(later)],
            inputs.settings.validation, inputs.settings.currency.base, run=night.id,
        )  # fmt: skip
    except NoShadowNight as gone:
        return ReportSection(key=KEY, title=TITLE, summary=str(gone))
    sides = [("both ordered", found.matched), ("only the product", found.product_only),
             ("only the buyers", found.buyers_only)]  # fmt: skip
    rows = [
        [name, str(side.items), f"{side.proposed_units:,.0f}", f"{side.ordered_units:,.0f}",
         format_totals(side.proposed_value), format_totals(side.ordered_value)]
        for name, side in sides
    ]  # fmt: skip
    summary = (
        f"Shadow night {found.as_of}: {found.shadow_orders} orders proposed and sent nowhere; "
        f"the buyers placed {found.buyer_orders} orders since ({', '.join(found.later)})."
    )
    return ReportSection(key=KEY, title=TITLE, summary=summary, columns=COLUMNS, rows=rows)
