"""Why the model recommended that quantity: everything a night knew about one
item-location, in one read (`replenish explain`).

The forecast row (`forecasts`: class, chosen model and the candidates it beat, fallback,
history, capped spikes, re-estimated stock-outs, demand over the protection interval and
its quantile) and the lines the orders of that night hold for the item, with the numbers
behind each quantity (`order_lines.details`) and the flags that name it. Read-only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from services.run_ids import full_run_id
from storage.models import Forecast, OrderLine, ReviewFlag
from storage.unit_of_work import UnitOfWork


class NotForecast(LookupError):
    """No run (or not the run asked for) forecast that item-location."""


@dataclass(frozen=True)
class ForecastFacts:
    """What the forecast stage stored for the item-location (storage.models.Forecast)."""

    demand_class: str
    model: str
    fallback: str | None
    history_periods: int
    backtest_rmsse: float | None
    backtest_mase: float | None
    bias: float | None  # mean forecast - actual over the MASE scale; > 0 over-forecasts
    candidates: dict[str, float | None]  # model -> backtest RMSSE (None: failed, did not fit)
    capped_periods: int
    demand_cap: float | None
    censored_periods: int
    mean_per_period: float
    protection_periods: float
    demand_mean: float
    demand_std: float
    service_level: float
    demand_quantile: float
    supplier_id: str | None
    category: str | None


@dataclass(frozen=True)
class FlagFacts:
    code: str
    severity: str
    sku: str | None  # None: the flag is on the whole order
    message: str
    money_at_stake: Decimal


@dataclass(frozen=True)
class LineFacts:
    """A line of that night's orders buying the item, with the numbers behind it."""

    po_key: str
    po_status: str
    run_id: str  # the run that proposed it (an earlier run of the night, on a rerun)
    supplier_id: str
    currency: str
    proposed_quantity: Decimal
    approved_quantity: Decimal | None
    unit_cost: Decimal
    line_value: Decimal
    explanation: str
    details: dict[str, Any]  # position, target, pack and MOQ rounding, precedent, ...
    flags: list[FlagFacts]  # the order's flags that name this item
    order_flags: list[FlagFacts]  # the order's flags on the whole order


@dataclass(frozen=True)
class ItemExplanation:
    sku: str
    location: str
    run_id: str
    as_of: date
    run_status: str
    forecast: ForecastFacts
    lines: list[LineFacts]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: dates as ISO text, amounts as numbers."""
        return _plain(asdict(self))


def explain_item(
    uow_factory: Callable[[], UnitOfWork], sku: str, location: str, run_id: str | None = None
) -> ItemExplanation:
    """The item-location as `run_id` (a full id or its first 8 characters) saw it; without
    a run, as the latest run that forecast it did. Raises `services.run_ids.UnknownRun`
    for an unknown run, `NotForecast` when the run did not forecast the item-location."""
    sku, location = sku.strip(), location.strip()
    with uow_factory() as uow:
        full_id = full_run_id(uow, run_id) if run_id is not None else None
        forecast = uow.runs.forecast_of(sku, location, full_id)
        if forecast is None:
            where = f"run {full_id[:8]}" if full_id else "any recorded run"
            raise NotForecast(
                f"{sku} at {location} was not forecast by {where} (SKU and location as "
                "the extract spells them, e.g. SKU-00016 DC-SOUTH)"
            )
        run = uow.runs.get(forecast.run_id)
        assert run is not None  # a forecast belongs to its run
        lines = uow.orders.lines_of_night(run.as_of, sku, location)
        return ItemExplanation(
            sku=sku,
            location=location,
            run_id=run.id,
            as_of=run.as_of,
            run_status=run.status,
            forecast=_forecast(forecast),
            lines=[_line(line) for line in lines],
        )


def _forecast(row: Forecast) -> ForecastFacts:
    return ForecastFacts(
        demand_class=row.demand_class,
        model=row.model,
        fallback=row.fallback,
        history_periods=row.history_periods,
        backtest_rmsse=row.backtest_rmsse,
        backtest_mase=row.backtest_mase,
        bias=row.bias,
        candidates=dict(row.candidates or {}),
        capped_periods=row.capped_periods or 0,
        demand_cap=row.demand_cap,
        censored_periods=row.censored_periods or 0,
        mean_per_period=row.mean_per_period,
        protection_periods=row.protection_periods,
        demand_mean=row.demand_mean,
        demand_std=row.demand_std,
        service_level=row.service_level,
        demand_quantile=row.demand_quantile,
        supplier_id=row.supplier_id,
        category=row.category,
    )


def _line(line: OrderLine) -> LineFacts:
    po = line.purchase_order
    flags = sorted(po.flags, key=lambda f: f.money_at_stake, reverse=True)
    naming = [f for f in flags if f.sku == line.sku and f.location in (None, line.location)]
    return LineFacts(
        po_key=po.po_key,
        po_status=po.status,
        run_id=po.run_id,
        supplier_id=po.supplier_id,
        currency=po.currency,
        proposed_quantity=line.proposed_quantity,
        approved_quantity=line.approved_quantity,
        unit_cost=line.unit_cost,
        line_value=line.line_value,
        explanation=line.explanation,
        details=dict(line.details or {}),
        flags=[_flag(f) for f in naming],
        order_flags=[_flag(f) for f in flags if f.sku is None],
    )


def _flag(flag: ReviewFlag) -> FlagFacts:
    return FlagFacts(flag.code, flag.severity, flag.sku, flag.message, flag.money_at_stake)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
