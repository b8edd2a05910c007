"""Why a quantity was proposed, in sentences a planner reads (`replenish explain`).

Pure: an `ItemExplanation` in, text out. Every number printed is one the database holds
(the forecast row, the line's details, its flags), rounded for reading; `--json` gives
them unrounded.
"""

from __future__ import annotations

from domain.money import format_amount, format_money
from forecasting.plausibility import young_item_sales
from services.item_explanations import FlagFacts, ForecastFacts, ItemExplanation, LineFacts

CLASS_MEANING = {
    "smooth": "sold in most periods, in steady amounts",
    "erratic": "sold in most periods, in very uneven amounts",
    "intermittent": "sold in few periods, in similar amounts",
    "lumpy": "sold in few periods, in very uneven amounts",
    "new": "too little history to tell a pattern",
    "dormant": "no sale for a long time",
}


def render_explanation(found: ItemExplanation) -> str:
    lines = [
        f"{found.sku} at {found.location}, as the nightly run of {found.as_of} "
        f"({found.run_id[:8]}, {found.run_status}) saw it:"
    ]
    lines += _history(found.forecast)
    lines += _model(found.forecast)
    lines += _interval(found.forecast)
    if not found.lines:
        lines.append(
            f"Ordered: nothing. No order dated {found.as_of} has a line for it: stock and "
            "open orders covered the target, or the line waits for the supplier's next "
            "order day (the run summary counts those)."
        )
    for line in found.lines:
        lines += _ordered(line, found.run_id, found.forecast)
    return "\n".join(lines)


def _history(f: ForecastFacts) -> list[str]:
    meaning = CLASS_MEANING.get(f.demand_class, "")
    lines = [
        f"Demand: {f.demand_class}{f' ({meaning})' if meaning else ''}, "
        f"learned from {f.history_periods:,} periods of history."
    ]
    if f.capped_periods:
        cap = f" at {_n(f.demand_cap)}" if f.demand_cap is not None else ""
        lines.append(
            f"  {_periods(f.capped_periods)} sold far above the usual (one-off spikes) and "
            f"{'was' if f.capped_periods == 1 else 'were'} capped{cap} before fitting."
        )
    if f.censored_periods:
        lines.append(
            f"  {_periods(f.censored_periods)} out of stock with no sale "
            f"{'was' if f.censored_periods == 1 else 'were'} re-estimated from the in-stock "
            "periods around them (demand unknown, not zero)."
        )
    return lines


def _model(f: ForecastFacts) -> list[str]:
    if f.backtest_rmsse is None:
        lines = [
            f"Model: {f.model}, not chosen by a backtest (new and dormant items, short "
            "histories and fallbacks have none)."
        ]
    else:
        direction = "above" if (f.bias or 0) > 0 else "below"
        bias = f", bias {f.bias:+.2f} (forecasts ran {direction} what sold)" if f.bias else ""
        lines = [
            f"Model: {f.model}, chosen by a rolling-origin backtest: RMSSE "
            f"{f.backtest_rmsse:.3f}, MASE {_n(f.backtest_mase, '.3f')}{bias}."
        ]
    if f.candidates:
        ranked = sorted(f.candidates.items(), key=lambda kv: (kv[1] is None, kv[1] or 0.0))
        named = ", ".join(
            f"{name} {'failed' if error is None else format(error, '.3f')}"
            + (" (chosen)" if name == f.model else "")
            for name, error in ranked
        )
        lines.append(f"  Candidates by backtest RMSSE (lower is better): {named}.")
    if f.fallback:
        lines.append(f"  Fallback: {f.fallback}.")
    return lines


def _interval(f: ForecastFacts) -> list[str]:
    return [
        f"Demand over the protection interval ({_n(f.protection_periods)} periods: lead time "
        f"+ review period): expected {_n(f.demand_mean)} ({_n(f.mean_per_period, '.2f')} a "
        f"period), spread (standard deviation) {_n(f.demand_std)}.",
        f"  At the {_pct(f.service_level)} service level its quantile is "
        f"{_n(f.demand_quantile)}: the stock that covers demand in {_pct(f.service_level)} "
        "of outcomes.",
    ]


def _ordered(line: LineFacts, run_id: str, forecast: ForecastFacts) -> list[str]:
    other = f", proposed by run {line.run_id[:8]}" if line.run_id != run_id else ""
    approved = (
        f"; a person approved {_n(float(line.approved_quantity))}"
        if line.approved_quantity is not None and line.approved_quantity != line.proposed_quantity
        else ""
    )
    cost = line.unit_cost
    # A unit price may have more than cents (0.0125 a screw): shown to four places then.
    unit = format_amount(cost) if cost == round(cost, 2) else f"{cost:,.4f}"
    lines = [
        f"Ordered that night: {_n(float(line.proposed_quantity))} units proposed on "
        f"{line.po_key} ({line.po_status}{other}), {format_money(line.line_value, line.currency)} "
        f"at {unit} a unit{approved}.",
        f"  Why: {line.explanation}",
    ]
    numbers = _numbers(line.details, forecast)
    if numbers:
        lines.append(f"  The numbers: {numbers}.")
    target = line.details.get("target")
    if isinstance(target, int | float) and abs(target - forecast.demand_quantile) >= 0.5:
        lines.append(
            f"  Its target ({_n(target)}) is not the forecast's quantile "
            f"({_n(forecast.demand_quantile)}): the sentence above says what it was set for."
        )
    lines += _flags("Flags on the order naming it", line.flags, line.currency)
    lines += _flags("Flags on the whole order", line.order_flags, line.currency)
    return lines


def _numbers(d: dict[str, object], forecast: ForecastFacts) -> str:
    """Position, target, what was short, how packs, MOQ and the cap rounded it, and the
    precedent (for an item younger than the interval: what it sold so far, scaled)."""
    parts = []
    if d.get("position") is not None:
        parts.append(
            f"position {_n(d['position'])} = on hand {_n(d.get('on_hand'))} + on order "
            f"{_n(d.get('on_order'))} (our own orders {_n(d.get('own_on_order'))}) - "
            f"backorders {_n(d.get('backorders'))}"
        )
    if d.get("target") is not None:
        safety = d.get("safety_stock")
        parts.append(
            f"target {_n(d['target'])}"
            + (f" (safety stock {_n(safety)})" if safety is not None else "")
            + (f" at {_pct(d['service_level'])}" if d.get("service_level") is not None else "")
        )
    if d.get("raw_qty") is not None:
        parts.append(f"short {_n(d['raw_qty'])}")
    terms = [f"{name} {_n(d[key])}" for key, name in
             (("pack_size", "pack"), ("moq", "MOQ"), ("max_order_qty", "maximum"))
             if d.get(key) is not None]  # fmt: skip
    if terms:
        rounding = str(d.get("constraints") or "").replace(";", ", ")
        parts.append(", ".join(terms) + (f" (applied: {rounding})" if rounding else ""))
    precedent = d.get("precedent")
    if isinstance(precedent, int | float):
        sold = young_item_sales(precedent, forecast.protection_periods, forecast.history_periods)
        parts.append(
            f"the most it ever sold over an interval this long: {_n(precedent)}"
            if sold is None
            else f"it sold {_n(sold)} in its first {_periods(forecast.history_periods)}, "
            f"{_n(precedent)} over an interval this long at that pace"
        )
    return "; ".join(parts)


def _flags(title: str, flags: list[FlagFacts], currency: str) -> list[str]:
    if not flags:
        return []
    return [f"  {title}:"] + [
        f"    - {f.code} ({f.severity}, {format_money(f.money_at_stake, currency)} at stake): "
        f"{f.message}"
        for f in flags
    ]


def _periods(count: int) -> str:
    return f"{count:,} period" + ("" if count == 1 else "s")


def _n(value: object, spec: str = ",.1f") -> str:
    """A number for reading: whole numbers without decimals; '-' for none."""
    if value is None:
        return "-"
    text = format(float(value), spec)  # type: ignore[arg-type]
    return text.removesuffix(".0") if spec == ",.1f" else text


def _pct(value: object) -> str:
    share = float(value)  # type: ignore[arg-type]
    return f"{share:.1%}".replace(".0%", "%")
