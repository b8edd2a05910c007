"""What the monitoring flow reads (stored forecasts, the demand later runs saw, decisions)
and writes (accuracy per segment per night)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from storage.models import Decision, Forecast, MonitoringResult, OrderLine, PurchaseOrder, Run

#: Runs whose forecasts count: a stopped or failed run may not have forecast everything.
_FORECASTING = ("succeeded", "partial")


class MonitoringRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def forecasts_since(self, since: date) -> list[dict[str, Any]]:
        """Every stored forecast of a nightly run dated `since` or later, newest run last."""
        rows = self.session.execute(
            select(
                Run.as_of,
                Run.started_at,
                Forecast.sku,
                Forecast.location,
                Forecast.demand_class,
                Forecast.supplier_id,
                Forecast.category,
                Forecast.forecast_path,
                Forecast.history_tail,
                Forecast.demand_quantile,
                Forecast.protection_periods,
                Forecast.service_level,
            )
            .join(Run, Run.id == Forecast.run_id)
            .where(
                Run.as_of >= since,
                Run.status.in_(_FORECASTING),
                Forecast.forecast_path.is_not(None),
                Forecast.history_tail.is_not(None),
            )
            .order_by(Run.as_of, Run.started_at)
        )
        return [dict(row) for row in rows.mappings()]

    def decisions_since(self, since: datetime) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Orders created since `since` with their verdicts, and the lines of those orders."""
        orders = self.session.execute(
            select(
                PurchaseOrder.id,
                PurchaseOrder.po_key,
                PurchaseOrder.created_at,
                PurchaseOrder.status,
                Decision.outcome,
                Decision.channel,
                Decision.decided_at,
            )
            .outerjoin(Decision, Decision.purchase_order_id == PurchaseOrder.id)
            .where(PurchaseOrder.created_at >= since)
            .order_by(PurchaseOrder.id, Decision.id)
        )
        lines = self.session.execute(
            select(
                OrderLine.purchase_order_id,
                OrderLine.proposed_quantity,
                OrderLine.approved_quantity,
            )
            .join(PurchaseOrder, PurchaseOrder.id == OrderLine.purchase_order_id)
            .where(PurchaseOrder.created_at >= since)
        )
        return [dict(r) for r in orders.mappings()], [dict(r) for r in lines.mappings()]

    def changed_lines(self, since: date) -> list[dict[str, Any]]:
        """Lines of orders planned since `since` whose quantity a person changed, with the
        forecast they were planned from (demand over the protection interval)."""
        rows = self.session.execute(
            select(
                Run.as_of,
                OrderLine.sku,
                OrderLine.location,
                OrderLine.proposed_quantity.label("proposed"),
                OrderLine.approved_quantity.label("approved"),
                Forecast.demand_mean,
                Forecast.protection_periods,
            )
            .join(PurchaseOrder, PurchaseOrder.id == OrderLine.purchase_order_id)
            .join(Run, Run.id == PurchaseOrder.run_id)
            .join(
                Forecast,
                (Forecast.run_id == PurchaseOrder.run_id)
                & (Forecast.sku == OrderLine.sku)
                & (Forecast.location == OrderLine.location),
            )
            .where(
                Run.as_of >= since,
                OrderLine.approved_quantity.is_not(None),
                OrderLine.approved_quantity != OrderLine.proposed_quantity,
            )
        )
        return [dict(row) for row in rows.mappings()]

    def add_results(self, run_id: str, as_of: date, rows: Sequence[Mapping[str, Any]]) -> None:
        if rows:
            self.session.execute(
                insert(MonitoringResult), [{"run_id": run_id, "as_of": as_of, **r} for r in rows]
            )

    def results(self, run_id: str) -> list[MonitoringResult]:
        return list(
            self.session.scalars(
                select(MonitoringResult)
                .where(MonitoringResult.run_id == run_id)
                .order_by(MonitoringResult.id)
            )
        )
