"""Queries behind the review e-mails and the review page: who waits for what, and why."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import CursorResult, func, or_, select, tuple_, update
from sqlalchemy.orm import Session, selectinload

from domain.lifecycle import AWAITING_DECISION
from storage.models import Forecast, PurchaseOrder

_WAITING = [status.value for status in AWAITING_DECISION]


class ReviewRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def not_yet_notified(self) -> list[PurchaseOrder]:
        """Orders of any run waiting for a person whose approvers were not e-mailed yet."""
        return list(
            self.session.scalars(
                select(PurchaseOrder)
                .where(
                    PurchaseOrder.status.in_(_WAITING),
                    PurchaseOrder.review_notified_at.is_(None),
                )
                .options(selectinload(PurchaseOrder.lines), selectinload(PurchaseOrder.flags))
                .order_by(PurchaseOrder.id)
            )
        )

    def orders(self, po_keys: Iterable[str]) -> list[PurchaseOrder]:
        keys = list(po_keys)
        if not keys:
            return []
        return list(
            self.session.scalars(
                select(PurchaseOrder)
                .where(PurchaseOrder.po_key.in_(keys))
                .options(selectinload(PurchaseOrder.lines), selectinload(PurchaseOrder.flags))
                .order_by(PurchaseOrder.id)
            )
        )

    def claim_notice(self, po_key: str, at: datetime) -> bool:
        """Mark the order's approvers as told, only if nobody did yet (conditional update)."""
        result = self.session.execute(
            update(PurchaseOrder)
            .where(PurchaseOrder.po_key == po_key, PurchaseOrder.review_notified_at.is_(None))
            .values(review_notified_at=at)
            .execution_options(synchronize_session=False)
        )
        assert isinstance(result, CursorResult)
        return result.rowcount == 1

    def renotify(self, po_key: str) -> None:
        """Have the next run e-mail this order's approvers again (its approval restarted)."""
        self.session.execute(
            update(PurchaseOrder)
            .where(PurchaseOrder.po_key == po_key)
            .values(review_notified_at=None)
            .execution_options(synchronize_session=False)
        )

    def waiting_for(self, person: str) -> list[PurchaseOrder]:
        """Orders still waiting on which `person` is approver, second approver or deputy."""
        key = person.strip().casefold()
        routed = or_(
            func.lower(PurchaseOrder.approver) == key,
            func.lower(PurchaseOrder.second_approver) == key,
            func.lower(PurchaseOrder.deputy) == key,
        )
        return list(
            self.session.scalars(
                select(PurchaseOrder)
                .where(PurchaseOrder.status.in_(_WAITING), routed)
                .options(selectinload(PurchaseOrder.lines), selectinload(PurchaseOrder.flags))
                .order_by(PurchaseOrder.decision_due_at, PurchaseOrder.id)
            )
        )

    def forecasts(
        self, run_id: str, series: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], Forecast]:
        """The forecast each line of an order was planned from (same run), by (sku, location)."""
        keys = list(series)
        if not keys:
            return {}
        rows = self.session.scalars(
            select(Forecast).where(
                Forecast.run_id == run_id, tuple_(Forecast.sku, Forecast.location).in_(keys)
            )
        )
        return {(row.sku, row.location): row for row in rows}
