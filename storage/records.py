"""Frames from the pure stages turned into rows for the database (the storage edge).

Floats become `Decimal` here and nowhere earlier: money is rounded to the cent once
(`domain.money.to_money`), at the point where it is written down.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd

from domain.money import to_money
from storage.models import Forecast, RowDisposition

_VARCHAR = {
    name: int(getattr(RowDisposition.__table__.columns[name].type, "length", 0) or 10**9)
    for name in ("field", "sku", "location", "kind", "file", "disposition")
}


def to_decimal(value: float, places: str = "0.001") -> Decimal:
    return Decimal(str(float(value))).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def clean(value: Any) -> Any:
    """JSON-safe scalar: NaN and NaT become None, numpy scalars plain Python."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date().isoformat()
    if hasattr(value, "item"):
        return clean(value.item())
    return value


def input_file_rows(counts: pd.DataFrame) -> list[dict[str, Any]]:
    columns = ["kind", "file", "read", "accepted", "repaired", "quarantined"]
    return [
        {key: clean(value) for key, value in row.items()}
        for row in counts[columns].to_dict("records")
    ]


# What a stored row keeps of one raw cell: enough to recognise it, never a 10 MB copy
# per quarantined row (the source file is the full evidence).
RAW_CELL_CHARS = 2000


def fit(text: str, size: int) -> str:
    """`text` cut to a VARCHAR(size) column, marked when cut (never a database error)."""
    text = storable(text)
    return text if len(text) <= size else text[: size - 3] + "..."


def storable(text: str) -> str:
    """Text PostgreSQL accepts: a NUL byte (which its text types refuse) shown as \\x00."""
    return text.replace("\x00", "\\x00") if "\x00" in text else text


def disposition_rows(issues: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows for `row_dispositions`, each text cut to its column (the gate has already
    quarantined what was too long; the quarantine record itself must still fit)."""
    if issues.empty:
        return []
    frame = issues[
        ["kind", "file", "line", "disposition", "reasons", "field", "detail", "sku", "location"]
    ].copy()
    frame["raw"] = [_raw(value) for value in issues["raw"]]
    for column in ("field", "detail", "sku", "location", "kind", "file", "disposition", "reasons"):
        frame[column] = [storable(value) for value in frame[column].fillna("").astype(str)]
    for column in ("field", "sku", "location", "kind", "file", "disposition"):
        size = _VARCHAR[column]  # already storable: only cut
        frame[column] = [_cut(value, size) for value in frame[column]]
    frame["line"] = frame["line"].astype(int)
    return _records(frame)


def _cut(text: str, size: int) -> str:
    """`fit` for text already `storable`."""
    return text if len(text) <= size else text[: size - 3] + "..."


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """`frame.to_dict("records")` for columns of plain Python objects and numpy numbers:
    each column turned into a list at once instead of every cell boxed one by one."""
    columns = list(frame.columns)
    values = [frame[column].tolist() for column in columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]


def _raw(value: Any) -> dict[str, Any] | None:
    if isinstance(value, dict):
        parsed: Any = value
    elif isinstance(value, str) and value:
        parsed = json.loads(value)
    else:
        return None
    if not isinstance(parsed, dict):
        parsed = {"value": parsed}
    return {
        storable(str(key)): fit(cell, RAW_CELL_CHARS) if isinstance(cell, str) else cell
        for key, cell in parsed.items()
    }


# Exactly the columns of the table: the forecast frame may carry more than is stored.
FORECAST_COLUMNS = [
    column.name for column in Forecast.__table__.columns if column.name not in ("id", "run_id")
]


def forecast_rows(
    summary: pd.DataFrame,
    path: pd.DataFrame | None = None,
    history: pd.DataFrame | None = None,
) -> list[dict[str, Any]]:
    """One row per series; `candidates` parsed from its JSON text, `path` (forecast means
    by step) and `history` (demand by period, oldest first) as lists of numbers."""
    frame = summary.reindex(columns=FORECAST_COLUMNS).copy()
    frame["history_periods"] = frame["history_periods"].fillna(0).astype(int)
    frame["candidates"] = [_json_dict(value) for value in frame["candidates"]]
    keys = pd.MultiIndex.from_frame(frame[["sku", "location"]])
    if path is not None and not path.empty:
        frame["forecast_path"] = _lists(path, "step", "mean").reindex(keys).to_numpy()
    if history is not None and not history.empty:
        frame["history_tail"] = _lists(history, "ds", "y").reindex(keys).to_numpy()
    frame = frame.astype(object).where(frame.notna(), None)
    return [{key: clean(value) for key, value in row.items()} for row in frame.to_dict("records")]


def _lists(frame: pd.DataFrame, order: str, value: str) -> pd.Series:
    """Per (sku, location): the `value` column in `order`, rounded, as a plain list."""
    grouped = frame.sort_values(order).groupby(["sku", "location"], sort=False)[value]
    return grouped.agg(lambda values: [round(float(v), 4) for v in values])


def _json_dict(value: Any) -> dict[str, Any] | None:
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value:
        parsed = json.loads(value)
        return parsed if isinstance(parsed, dict) else None
    return None


LINE_DETAIL_COLUMNS = [
    "on_hand",
    "on_order",
    "own_on_order",
    "backorders",
    "position",
    "demand_mean",
    "demand_quantile",
    "service_level",
    "safety_stock",
    "target",
    "raw_qty",
    "pack_size",
    "moq",
    "max_order_qty",
    "constraints",
    "precedent",
    "lead_time_days",
    "review_period_days",
]


@dataclass(frozen=True)
class Proposal:
    """One purchase order ready for `OrderRepository.add_proposal`."""

    order: dict[str, Any]
    lines: list[dict[str, Any]]
    flags: list[dict[str, Any]]


def proposals(orders: pd.DataFrame, lines: pd.DataFrame, flags: pd.DataFrame) -> Iterator[Proposal]:
    """Group lines and flags under their order (one pass per order, not per line)."""
    lines_by_key = dict(tuple(lines.groupby("po_key", sort=False))) if not lines.empty else {}
    flags_by_key = dict(tuple(flags.groupby("po_key", sort=False))) if not flags.empty else {}
    for order in orders.to_dict("records"):
        key = order["po_key"]
        yield Proposal(
            order={
                "po_key": key,
                "supplier_id": str(order["supplier_id"]),
                "supplier_name": _text_or_none(order.get("supplier_name")),
                "location": str(order["location"]),
                "order_date": pd.Timestamp(order["order_date"]).date(),
                "expected_delivery": pd.Timestamp(order["expected_delivery"]).date(),
                "currency": str(order["currency"]),
                "value": to_money(order["value"]),
            },
            lines=_line_rows(lines_by_key.get(key)),
            flags=_flag_rows(flags_by_key.get(key)),
        )


def _text_or_none(value: Any) -> str | None:
    value = clean(value)
    return str(value) if value not in (None, "") else None


def _line_rows(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    if frame is None:
        return []
    detail_columns = [c for c in LINE_DETAIL_COLUMNS if c in frame.columns]
    rows = []
    for line in frame.to_dict("records"):
        rows.append(
            {
                "sku": str(line["sku"]),
                "location": str(line["location"]),
                "proposed_quantity": to_decimal(line["order_qty"]),
                "unit_cost": to_decimal(line["unit_cost"], "0.0001"),
                "line_value": to_money(line["line_value"]),
                "explanation": str(line["explanation"]),
                "details": {column: clean(line[column]) for column in detail_columns},
            }
        )
    return rows


def _flag_rows(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    if frame is None:
        return []
    return [
        {
            "sku": clean(flag["sku"]),
            "location": clean(flag["location"]),
            "code": str(flag["code"]),
            "severity": str(flag["severity"]),
            "message": str(flag["message"]),
            "money_at_stake": to_money(flag["money_at_stake"]),
        }
        for flag in frame.to_dict("records")
    ]
