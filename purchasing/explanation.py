"""The sentence behind each order quantity, e.g. "Expect 140 units ...".

A buyer approves or changes a quantity only if the numbers that produced it are in front
of them. The sentences are built column-wise with numpy strings, never line by line: they
run over every line of the catalogue each night.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce
from typing import Any

import numpy as np
import pandas as pd
from numpy.dtypes import StringDType
from numpy.typing import NDArray

from purchasing.quantities import QuantitySteps

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
        " days (lead time ", _num(lead), " + review ", _num(review), "); to ",
        _measure(lines), " we need ", _num(lines["target"]),
        " (incl. ", _num(lines["safety_stock"]), " safety stock). ",
    )  # fmt: skip


_OWN = " of it our own orders not yet in the extract)"


def _measure(lines: pd.DataFrame) -> Text:
    """ "serve 95% of demand from stock" (fill rate) or "cover 95% of outcomes" (cycle)."""
    level = _num(lines["service_level"] * 100)
    measure = lines.get("service_measure", pd.Series("", index=lines.index))
    fill = (measure == "fill_rate").to_numpy()
    return np.where(
        fill,
        _cat("serve ", level, "% of demand from stock"),
        _cat("cover ", level, "% of outcomes"),
    )


def _position_clause(lines: pd.DataFrame) -> Text:
    on_order = lines["on_order"].to_numpy(dtype=float)
    past_due = lines["past_due_qty"].to_numpy(dtype=float)
    back = lines["backorders"].to_numpy(dtype=float)
    position = lines["position"].to_numpy(dtype=float)
    own = lines.get("own_on_order", pd.Series(0.0, index=lines.index)).to_numpy(dtype=float)
    return _cat(
        "On hand ", _num(lines["on_hand"]), _when(lines["stock_missing"], " (no stock record)"),
        _only(on_order != 0, lambda r: _cat(" + on order ", _num(on_order[r]))),
        _only(own > 0, lambda r: _cat(" (", _num(own[r]), _OWN)),
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
