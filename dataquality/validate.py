"""The data-quality gate: raw extract frames in, clean tables and every row's verdict out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from contracts import frame_schemas as schemas
from dataquality.checks import check_source_problems
from dataquality.coerce import as_cells
from dataquality.contract import CONTRACTS, KINDS, SOURCE_COLUMNS, SOURCE_PROBLEM, TableContract
from dataquality.dispositions import (
    COUNT_COLUMNS,
    ISSUE_COLUMNS,
    clean_table,
    counts,
    issues,
    top_reasons,
    with_empty_files,
)
from dataquality.quarantined_items import missing_stock, quarantined_items, with_missing_stock
from dataquality.rules import ValidationRules
from dataquality.table import Table
from dataquality.tables import (
    check_demand,
    check_items,
    check_open_orders,
    check_stock,
    check_stock_history,
    check_suppliers,
)


@dataclass(frozen=True)
class ValidationResult:
    """What the gate lets through, and the account of everything it touched.

    `tables[kind]`, `counts` and `issues` have the columns of docs/frames.md (`counts`
    adds `top_reasons`); `quarantined_items` (sku, location, reasons) lists the
    item-locations a quarantined row names (location "" when the row named none), so
    their order lines can be flagged.
    """

    tables: dict[str, pd.DataFrame]
    counts: pd.DataFrame
    issues: pd.DataFrame
    quarantined_items: pd.DataFrame
    # active accepted items with no usable stock row (sku, location): held, or a breach
    missing_stock: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({"sku": [], "location": []}, dtype=object)
    )
    # the run date the extract was checked against (the gate judges its freshness)
    as_of: date | None = None


def validate(
    frames: Mapping[str, pd.DataFrame],
    *,
    as_of: date,
    rules: ValidationRules,
    files: Mapping[str, Sequence[str]] | None = None,
) -> ValidationResult:
    """Give every input row one verdict: accepted, repaired (recorded) or quarantined (why).

    `frames` are the extract's tables keyed by kind, every cell as read plus
    `source_file` and `source_line`. A kind left out counts as an empty table (the
    source adapter is the one that knows which files are required). `files` names every
    file read per kind, so a file with a header and no rows still has its line (read 0)
    in the counts instead of vanishing beside a full file of the same kind.
    """
    tables = {
        kind: Table(
            contract,
            _prepared(contract, frames.get(kind)),
            read_columns=[c for c in contract.names if c in frames.get(kind, {})],
        )
        for kind, contract in CONTRACTS.items()
    }
    for table in tables.values():
        check_source_problems(table)
    check_suppliers(tables["suppliers"], rules)
    check_items(tables["items"], tables["suppliers"], rules)
    check_demand(tables["demand"], tables["items"], rules, as_of)
    check_stock(tables["stock"], tables["items"], rules, as_of)
    check_open_orders(tables["open_orders"], tables["items"], rules)
    check_stock_history(tables["stock_history"], tables["items"], rules, as_of)

    ordered = [tables[kind] for kind in KINDS]
    issue_parts, tallies = zip(*(issues(t) for t in ordered), strict=True)
    all_issues = pd.concat(issue_parts, ignore_index=True)
    all_issues = all_issues.astype({"line": "int64"})[ISSUE_COLUMNS]
    per_file = pd.concat([counts(t) for t in ordered], ignore_index=True)[COUNT_COLUMNS]
    per_file = with_empty_files(per_file, files or {})
    reasons = top_reasons(pd.concat(tallies, ignore_index=True))
    per_file["top_reasons"] = per_file["file"].map(reasons).fillna("").astype(object)
    clean = {kind: clean_table(tables[kind]) for kind in KINDS}  # the typed values move in
    for kind, schema in schemas.VALIDATED.items():  # checked where built (docs/frames.md)
        schema.check(clean[kind])
    schemas.COUNTS.check(per_file)
    missing = missing_stock(clean["items"], clean["stock"])
    return ValidationResult(
        tables=clean,
        counts=per_file,
        issues=all_issues,
        quarantined_items=with_missing_stock(quarantined_items(all_issues), missing),
        missing_stock=missing,
        as_of=as_of,
    )


def _prepared(contract: TableContract, frame: pd.DataFrame | None) -> pd.DataFrame:
    """The contract's columns as compact text (absent optional ones empty), plus the
    source columns."""
    if frame is None:
        frame = pd.DataFrame({name: pd.Series(dtype=object) for name in contract.required_columns})
        frame["source_file"] = pd.Series(dtype=object)
        frame["source_line"] = pd.Series(dtype="int64")
    missing = [c for c in (*contract.required_columns, *SOURCE_COLUMNS) if c not in frame.columns]
    if missing:
        raise ValueError(f"{contract.kind}: frame lacks required column(s) {', '.join(missing)}")
    index = pd.RangeIndex(len(frame))
    empty = pd.Series(pd.Categorical.from_codes(np.zeros(len(frame), np.int8), [""]), index=index)
    columns: dict[str, pd.Series] = {}
    for name in (*contract.names, "source_file", SOURCE_PROBLEM):
        # compact text (`as_cells`): never one string pointer per cell of a big extract
        cells = as_cells(frame[name]) if name in frame.columns else empty
        columns[name] = cells.set_axis(index)
    columns["source_line"] = pd.Series(pd.to_numeric(frame["source_line"]).to_numpy(), index=index)
    order = [*contract.names, "source_file", "source_line", SOURCE_PROBLEM]
    return pd.DataFrame(columns)[order]
