"""Order lines from the periodic-review, order-up-to policy.

Each review, order enough to raise the inventory position to the service-level quantile
of demand over the protection interval (lead time + review period): the next chance to
order is one review period away, and what we order now lands one lead time from now.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import reduce
from typing import Any

import numpy as np
import pandas as pd
from numpy.dtypes import StringDType
from numpy.typing import NDArray

from purchasing.params import PolicyParams
from purchasing.position import KEYS, inventory_position, require_unique
from purchasing.quantities import QuantitySteps, applied_constraints, quantity_steps

LINE_COLUMNS = [
    # the contract in docs/frames.md
    "sku", "location", "supplier_id", "po_key", "on_hand", "on_order", "backorders",
    "position", "demand_mean", "demand_quantile", "service_level", "safety_stock", "target",
    "raw_qty", "order_qty", "pack_size", "moq", "max_order_qty", "unit_cost", "line_value",
    "constraints", "explanation",
    # added here for grouping, flags and tracing
    "lead_time_days", "review_period_days", "lead_time_demand", "stock_missing",
    "past_due_qty", "arriving_within_lead_time",
]  # fmt: skip

_FORECAST_COLUMNS = [*KEYS, "demand_mean", "demand_quantile", "service_level"]


def as_of_day(as_of: date | datetime | pd.Timestamp | str) -> pd.Timestamp:
    """The run date at midnight, the form every date in the frames takes."""
    return pd.Timestamp(as_of).normalize().as_unit("ns")


def plan_lines(
    forecast_summary: pd.DataFrame,
    items: pd.DataFrame,
    stock: pd.DataFrame,
    open_orders: pd.DataFrame,
    *,
    as_of: date | datetime | pd.Timestamp | str,
    params: PolicyParams | None = None,
) -> pd.DataFrame:
    """One line per active item-location (order_qty may be 0), each with its explanation.

    Lines with nothing to order are kept: the run summary and the audit trail must show
    that every active item was looked at, not only those that were bought.
    """
    params = params or PolicyParams()
    day = as_of_day(as_of)
    active = items.loc[items["active"].astype(bool)].reset_index(drop=True)
    require_unique(active, KEYS, "items")
    require_unique(forecast_summary, KEYS, "forecast summary")

    lines = active.drop(columns=["service_level"], errors="ignore").merge(
        forecast_summary[_FORECAST_COLUMNS], on=KEYS, how="left"
    )
    lines = lines.rename(columns={"service_level": "forecast_service_level"})
    lines["review_period_days"] = lines["review_period_days"].fillna(
        params.default_review_period_days
    )
    # The quantile was computed at the forecast's service level, so report that one; the
    # item/policy level only fills in when there is no forecast to state it.
    lines["service_level"] = (
        lines["forecast_service_level"]
        .fillna(active.get("service_level", np.nan))
        .fillna(params.default_service_level)
    )
    protection_days = lines["lead_time_days"] + lines["review_period_days"]
    horizon = (
        protection_days
        if params.open_order_horizon_days is None
        else pd.Series(params.open_order_horizon_days, index=lines.index)
    )
    position = inventory_position(
        lines, stock, open_orders, as_of=day, horizon_days=horizon,
        lead_time_days=lines["lead_time_days"],
    )  # fmt: skip
    lines = lines.join(position)

    lines["target"] = lines["demand_quantile"]
    lines["safety_stock"] = lines["demand_quantile"] - lines["demand_mean"]
    # Demand until an order placed today lands, for the stock-out check (share of the
    # protection interval that is lead time).
    lines["lead_time_demand"] = lines["demand_mean"] * lines["lead_time_days"] / protection_days
    steps = quantity_steps(
        lines["target"], lines["position"], lines["pack_size"], lines["moq"],
        lines["max_order_qty"],
    )  # fmt: skip
    lines["raw_qty"] = steps.raw
    lines["order_qty"] = steps.order_qty
    # Cents per line, so an order's value is exactly the sum of what its lines show.
    lines["line_value"] = (lines["order_qty"] * lines["unit_cost"]).round(2)
    lines["constraints"] = applied_constraints(steps)
    lines["po_key"] = None
    lines["explanation"] = explain(lines, steps)
    return lines[LINE_COLUMNS]


Text = NDArray[Any]  # numpy StringDType: variable-width strings, concatenated in C
NO_FORECAST = "No forecast for this item-location, so nothing is ordered."


def _cat(*parts: Text | str) -> Text:
    return reduce(np.strings.add, parts)  # type: ignore[arg-type]


def quantity_text(values: pd.Series | NDArray[np.float64]) -> Text:
    """Quantities as a buyer reads them: whole numbers unless a tenth matters.

    Built from integer conversions, not per-value formatting: it runs over every line of
    the catalogue each night.
    """
    x = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(x)
    safe = np.where(finite, x, 0.0)
    text = np.round(safe).astype(np.int64).astype(StringDType())
    fractional = np.flatnonzero((np.abs(safe) < 100) & (np.round(safe * 10) % 10 != 0))
    if fractional.size:
        tenths = np.round(safe[fractional] * 10).astype(np.int64)
        digits = np.abs(tenths)
        text[fractional] = _cat(
            np.where(tenths < 0, "-", ""), (digits // 10).astype(StringDType()), ".",
            (digits % 10).astype(StringDType()),
        )  # fmt: skip
    text[~finite] = "n/a"
    return text


_num = quantity_text


def _when(condition: NDArray[np.bool_] | pd.Series, text: Text | str) -> Text:
    return np.where(np.asarray(condition, dtype=bool), text, "")


def _only(condition: NDArray[np.bool_], build: Callable[[NDArray[np.intp]], Text]) -> Text:
    """Text where `condition` holds, "" elsewhere; `build` runs on those rows only.

    Most clauses (MOQ, cap, backorders) apply to few lines; formatting numbers for all
    lines and then discarding them was most of the cost of explaining a catalogue.
    """
    text = np.full(condition.shape, "", dtype=StringDType())
    rows = np.flatnonzero(condition)
    if rows.size:
        text[rows] = build(rows)
    return text


def _subset(steps: QuantitySteps, rows: NDArray[np.intp]) -> QuantitySteps:
    return QuantitySteps(*(values[rows] for values in steps))


def explain(lines: pd.DataFrame, steps: QuantitySteps) -> NDArray[np.object_]:
    """The sentence behind each quantity, built column-wise, e.g. "Expect 140 units ...".

    A buyer approves or changes a quantity only if the numbers that produced it are in
    front of them: forecast, service level, position and each supplier term applied.
    """
    text = np.full(len(lines), NO_FORECAST, dtype=StringDType())
    rows = np.flatnonzero(lines["target"].notna().to_numpy())
    if rows.size:
        part = lines.iloc[rows]
        text[rows] = _cat(
            _forecast_clause(part),
            _position_clause(part),
            _order_clause(_subset(steps, rows), part["moq"].to_numpy(dtype=float)),
        )
    return text.astype(object)  # pandas holds python str; StringDType is for building only


def _forecast_clause(lines: pd.DataFrame) -> Text:
    lead, review = lines["lead_time_days"], lines["review_period_days"]
    return _cat(
        "Expect ", _num(lines["demand_mean"]), " units over the next ", _num(lead + review),
        " days (lead time ", _num(lead), " + review ", _num(review), "); to cover ",
        _num(lines["service_level"] * 100), "% of outcomes we need ", _num(lines["target"]),
        " (incl. ", _num(lines["safety_stock"]), " safety stock). ",
    )  # fmt: skip


def _position_clause(lines: pd.DataFrame) -> Text:
    on_order = lines["on_order"].to_numpy(dtype=float)
    past_due = lines["past_due_qty"].to_numpy(dtype=float)
    back = lines["backorders"].to_numpy(dtype=float)
    position = lines["position"].to_numpy(dtype=float)
    return _cat(
        "On hand ", _num(lines["on_hand"]), _when(lines["stock_missing"], " (no stock record)"),
        _only(on_order != 0, lambda r: _cat(" + on order ", _num(on_order[r]))),
        _only(past_due > 0, lambda r: _cat(" (", _num(past_due[r]), " past due)")),
        _only(back > 0, lambda r: _cat(" - backorders ", _num(back[r]))),
        _only((on_order != 0) | (back > 0), lambda r: _cat(" = ", _num(position[r]))),
        ", so ",
    )  # fmt: skip


def _order_clause(steps: QuantitySteps, moq: NDArray[np.float64]) -> Text:
    text = np.full(steps.raw.shape, "nothing is short; nothing to order.", dtype=StringDType())
    rows = np.flatnonzero(steps.raw > 0)
    if rows.size:
        text[rows] = _shortfall_clause(_subset(steps, rows), moq[rows])
    return text


def _term(label: str, given: NDArray[np.float64], applied: NDArray[np.float64]) -> Text:
    """E.g. "; raised to the minimum order of 95 (100 in whole packs)"."""
    return _cat(
        label, _num(given),
        _only(given != applied, lambda r: _cat(" (", _num(applied[r]), " in whole packs)")),
    )  # fmt: skip


def _shortfall_clause(steps: QuantitySteps, moq: NDArray[np.float64]) -> Text:
    """How the shortfall became the order: pack rounding, MOQ, cap, in that order."""
    raw, packed, after_moq, qty, pack, cap = steps
    n_packs = np.round(packed / pack)
    rounded, raised = packed > raw, after_moq > packed
    capped, overridden = qty < after_moq, qty > cap  # NaN cap compares False
    rounding = np.where(
        pack > 1,
        _cat("; rounded up to ", _num(n_packs), np.where(n_packs == 1, " pack of ", " packs of "),
             _num(pack), " = ", _num(packed)),
        _only(rounded, lambda r: _cat("; rounded up to ", _num(packed[r]))),
    )  # fmt: skip
    return _cat(
        _num(raw), " are short", rounding,
        _only(raised, lambda r: _term("; raised to the minimum order of ", moq[r], after_moq[r])),
        _only(capped, lambda r: _term("; capped at the maximum order of ", cap[r], qty[r])),
        _only(overridden, lambda r: _cat("; the maximum order (", _num(cap[r]), ") is below "
                                         "the smallest order the supplier accepts, so that "
                                         "minimum (", _num(qty[r]), ") is ordered")),
        _only(~((pack > 1) | rounded | raised | capped | overridden),
              lambda r: _cat("; order ", _num(qty[r]))),
        ".",
    )  # fmt: skip
