"""The night-by-night records the value report is made of, as one frame of lines.

One row per proposed order line: its night, week, order, supplier, location, category,
proposed and ordered quantity and value, whether its order was auto-approved or asked
a person, and the numbers its quantity came from (position, target, forecast over the
protection interval). Decimal stays in the database rows; the frame is float for the
arithmetic, and money goes back to Decimal in the report.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pandas as pd

from storage import value_reads
from storage.unit_of_work import UnitOfWork

UNKNOWN = "(unknown)"


def line_facts(
    uow_factory: Callable[[], UnitOfWork], since: date, until: date
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """The lines of orders dated in [since, until] and the nightly runs since `since`."""
    with uow_factory() as uow:
        rows = value_reads.proposed_lines(uow.session, since, until)
        keys = sorted({str(r["po_key"]) for r in rows})
        first = value_reads.first_states(uow.session, keys)
        decisions = value_reads.decisions_on(uow.session, keys)
        nights = value_reads.nights(uow.session, since)
    return lines_frame(rows, first, decisions), nights


def lines_frame(
    rows: list[dict[str, Any]], first: dict[str, str], decisions: list[dict[str, Any]]
) -> pd.DataFrame:
    """The rows as a frame with the columns the report groups and scores."""
    if not rows:
        return pd.DataFrame(columns=FRAME_COLUMNS)
    frame = pd.DataFrame(rows)
    details = pd.json_normalize([r["details"] or {} for r in rows])
    for column in ("position", "target", "demand_mean", "lead_time_days", "review_period_days",
                   "service_level"):  # fmt: skip
        frame[column] = details[column].astype(float) if column in details else float("nan")
    frame["category"] = frame["category"].fillna(UNKNOWN)
    frame["proposed"] = frame["proposed_quantity"].astype(float)
    approved = frame["approved_quantity"]
    frame["chosen"] = approved.where(approved.notna(), frame["proposed_quantity"]).astype(float)
    frame["unit_cost"] = frame["unit_cost"].astype(float)
    frame["value"] = frame["line_value"].astype(float)
    frame["changed"] = approved.notna() & (frame["chosen"] != frame["proposed"])
    frame["change_value"] = (frame["chosen"] - frame["proposed"]) * frame["unit_cost"]
    frame["first_state"] = frame["po_key"].map(first).fillna(frame["status"])
    frame["auto_approved"] = frame["first_state"] == "auto_approved"
    frame["asked"] = frame["first_state"] == "pending_review"
    decided = {str(d["po_key"]) for d in decisions if d["channel"] != "nightly-run"}
    frame["decided"] = frame["po_key"].isin(decided)
    frame["protection_days"] = frame["lead_time_days"] + frame["review_period_days"]
    frame["forecast"] = frame["demand_mean"]
    order_date = pd.to_datetime(frame["order_date"])
    monday = order_date - pd.to_timedelta(order_date.dt.weekday, unit="D")
    frame["week"] = "week of " + monday.dt.strftime("%Y-%m-%d")
    return frame[FRAME_COLUMNS]


FRAME_COLUMNS = [
    "as_of", "run_id", "po_key", "status", "order_date", "week", "supplier_id", "location",
    "category", "currency", "sku", "proposed", "chosen", "unit_cost", "value", "changed",
    "change_value", "first_state", "auto_approved", "asked", "decided", "position",
    "target", "forecast", "service_level", "protection_days",
]  # fmt: skip
