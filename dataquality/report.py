"""What people see of the gate: the per-file summary and the stop-the-run messages."""

from __future__ import annotations

import pandas as pd

from dataquality.freshness import frequency_breach, stale_breach
from dataquality.rules import ValidationRules
from dataquality.validate import ValidationResult

SUMMARY_COLUMNS = [
    "kind",
    "file",
    "read",
    "accepted",
    "repaired",
    "quarantined",
    "quarantined_pct",
    "top_reasons",
]


def _share(quarantined: pd.Series, read: pd.Series) -> pd.Series:
    return (quarantined / read.where(read > 0)).fillna(0.0)


def quarantine_share_breaches(counts: pd.DataFrame, limit: float) -> list[str]:
    """One message per file whose quarantined share passes `limit`.

    Judged per file, not over the whole extract: one broken export among six healthy
    ones must stop the run even when the overall share looks harmless.
    """
    share = _share(counts["quarantined"], counts["read"])
    breached = counts.assign(share=share)[share > limit]
    has_reasons = "top_reasons" in breached.columns
    messages = []
    for row in breached.itertuples(index=False):  # one per breaching file, never per row
        reasons = f"; top reasons: {row.top_reasons}" if has_reasons and row.top_reasons else ""
        messages.append(
            f"{row.file}: {row.share:.1%} of {row.read:,} rows quarantined "
            f"(limit {limit:.1%}){reasons}"
        )
    return messages


def gate_breaches(result: ValidationResult, rules: ValidationRules) -> list[str]:
    """Every reason the run must stop before ordering, one line each.

    Too many quarantined rows in a file; a file of demand, items, suppliers or stock with a
    header and no rows (a broken export beside a healthy one would otherwise just read as
    no sales); too many active items without a usable stock row; demand dates coarser
    than the forecast's frequency; a latest demand older than `max_demand_age_periods`.
    """
    messages = quarantine_share_breaches(result.counts, rules.max_quarantine_share)
    counts = result.counts
    empty = counts[(counts["read"] == 0) & (counts["kind"] != "open_orders")]
    messages += [
        f"{row.file}: has a header but no data rows (a broken {row.kind} export?)"
        for row in empty.itertuples(index=False)
    ]
    items = result.tables["items"]
    active = int(items["active"].astype(bool).sum()) if "active" in items else len(items)
    missing = len(result.missing_stock)
    if active and missing / active > rules.max_missing_stock_share:
        shown = ", ".join(
            f"{r.sku}/{r.location}" for r in result.missing_stock.head(3).itertuples(index=False)
        )
        messages.append(
            f"stock: {missing:,} of {active:,} active items ({missing / active:.1%}) have no "
            f"usable stock row (limit {rules.max_missing_stock_share:.1%}; e.g. {shown})"
        )
    dates = result.tables["demand"].get("date", pd.Series(dtype="datetime64[ns]"))
    for message in (
        frequency_breach(dates, rules.frequency),
        stale_breach(dates, result.as_of, rules.frequency, rules.max_demand_age_periods),
    ):
        if message:
            messages.append(message)
    return messages


def summarise(result: ValidationResult) -> pd.DataFrame:
    """Per-file figures plus a total row, shaped for a Prefect table artifact."""
    per_file = result.counts.copy()
    if "top_reasons" not in per_file.columns:
        per_file["top_reasons"] = ""
    quarantined = result.issues[result.issues["disposition"] == "quarantined"]
    overall = quarantined["reasons"].str.split(";").explode().value_counts().head(3)
    total = pd.DataFrame(
        {
            "kind": ["all"],
            "file": ["(all files)"],
            **{
                c: [int(per_file[c].sum())] for c in ("read", "accepted", "repaired", "quarantined")
            },
            "top_reasons": [", ".join(f"{code} ({n})" for code, n in overall.items())],
        }
    )
    out = pd.concat([per_file, total], ignore_index=True)
    out["quarantined_pct"] = (100 * _share(out["quarantined"], out["read"])).round(1)
    return out[SUMMARY_COLUMNS]
