"""Tonight's plan on an extract against each line's precedent: how many targets lie above
the most the item-location ever sold over a window of its protection interval, and what
the lines that order them are worth."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from benchmarks.policy_data import Extract

MULTIPLES = (1.0, 1.5, 2.0)


def precedent_shares(extract: Extract, mode: str) -> dict[str, Any]:
    """Per demand class and overall: lines, lines above k x precedent, value of the ordered
    lines above 2 x precedent, and the lines UNPRECEDENTED_STOCK would hold."""
    from flags import FlagRules
    from forecasting import forecast_demand
    from purchasing import plan_lines

    settings: Any = extract.settings
    params = settings.forecast.model_copy(update={"sporadic_demand": mode})
    result = forecast_demand(extract.demand, extract.items, as_of=extract.as_of, params=params)
    lines = plan_lines(
        result.summary, extract.items, extract.stock, extract.open_orders,
        as_of=extract.as_of, params=settings.policy,
    )  # fmt: skip
    summary = result.summary[["sku", "location", "demand_class", "history_periods",
                              "protection_periods"]]  # fmt: skip
    lines = lines.merge(summary, on=["sku", "location"], how="left")
    rules = FlagRules()
    known = lines["precedent"].fillna(0) > 0
    ratio = np.where(known, lines["target"] / lines["precedent"].where(known, 1.0), np.nan)
    intervals = lines["history_periods"] / lines["protection_periods"]
    held = (
        (ratio > rules.unprecedented_stock_factor)
        & (intervals >= rules.unprecedented_min_intervals)
        & (lines["demand_class"] != "new")
        & (lines["order_qty"] > 0)
    )
    lines = lines.assign(ratio=ratio, held=held)
    out: dict[str, Any] = {"classes": {}}
    for name, part in [("all", lines), *lines.groupby("demand_class", sort=True)]:
        out["classes"][str(name)] = _shares(part)
    all_ = out["classes"]["all"]
    out["text"] = [
        f"tonight's plan ({len(lines):,} lines, {all_['ordered']:,} ordering): targets above "
        + ", ".join(f"{k}x precedent {all_[f'above_{k}x']:.1%}" for k in MULTIPLES)
        + f"; ordered lines above 2x hold {all_['value_above_2x']:.1%} of the value; "
        f"UNPRECEDENTED_STOCK would hold {all_['held']:,} lines",
        *(
            f"  {name}: {row['lines']:,} lines, above 2x precedent {row['above_2.0x']:.1%}, "
            f"value above 2x {row['value_above_2x']:.1%}, held {row['held']:,}"
            for name, row in out["classes"].items()
            if name != "all"
        ),
    ]
    return out


def _shares(part: pd.DataFrame) -> dict[str, Any]:
    ordered = part["order_qty"] > 0
    value = float(part.loc[ordered, "line_value"].sum())
    over_two = ordered & (part["ratio"] > 2.0)
    row: dict[str, Any] = {
        "lines": len(part),
        "ordered": int(ordered.sum()),
        "value": value,
        "held": int(part["held"].sum()),
        "value_above_2x": float(part.loc[over_two, "line_value"].sum()) / value if value else 0.0,
    }
    for k in MULTIPLES:
        row[f"above_{k}x"] = float((part["ratio"] > k).mean()) if len(part) else 0.0
    return row
