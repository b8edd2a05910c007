"""The questions asked of stored orders by the stages: what is known already, what the
order history rules compare with, what waits for a person, what is ready for the ERP."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, selectinload

from domain.lifecycle import AWAITING_DECISION, ORDERED, READY_TO_SUBMIT, OrderStatus
from storage.models import AuditRecord, OrderLine, PurchaseOrder, Submission
from storage.order_history import recent_item_lines, recent_supplier_orders


class OrderReads:
    """Mixed into `OrderRepository`: `uow.orders.statuses(...)`, `uow.orders.recent_lines(...)`."""

    session: Session

    def waiting_for_decision(self) -> list[PurchaseOrder]:
        """Orders of any run still waiting for a person, earliest deadline first."""
        return list(
            self.session.scalars(
                select(PurchaseOrder)
                .where(PurchaseOrder.status.in_([s.value for s in AWAITING_DECISION]))
                .order_by(PurchaseOrder.decision_due_at, PurchaseOrder.id)
            )
        )

    def statuses(self, po_keys: Iterable[str]) -> dict[str, str]:
        """Status of each key already known, so a re-run never proposes the same order twice."""
        keys = list(po_keys)
        if not keys:
            return {}
        rows = self.session.execute(
            select(PurchaseOrder.po_key, PurchaseOrder.status).where(PurchaseOrder.po_key.in_(keys))
        )
        return {str(key): str(status) for key, status in rows}

    def recent_lines(
        self,
        keys: list[tuple[str, str]],
        per_item: int = 5,
        *,
        before: date | None = None,
    ) -> list[dict[str, Any]]:
        """The last `per_item` order lines of each (sku, location), newest first, in one query.

        quantity is what was approved where a person changed it, else what was proposed:
        the amount the business actually chose. Only orders that were placed or are on
        their way count (`ORDERED`): a rejected or expired proposal is not history.
        `before` keeps only orders dated earlier (tonight's own orders, on a re-run, are
        not their own history). The window
        function and row-value IN work on PostgreSQL and SQLite (3.25+).
        """
        return recent_item_lines(self.session, keys, ORDERED, per_item, before=before)

    def recent_orders(
        self, pairs: list[tuple[str, str]], per_pair: int = 8, *, before: date | None = None
    ) -> list[dict[str, Any]]:
        """The last `per_pair` placed orders of each (supplier_id, location), an order and
        its review order counted as one (`storage.order_history`)."""
        return recent_supplier_orders(self.session, pairs, ORDERED, per_pair, before=before)

    def ready_to_submit(self) -> list[PurchaseOrder]:
        """Approved orders of any run that have not reached the ERP yet, oldest first.

        `failed` is included: an ERP outage must not leave an approved order behind for
        ever; the idempotency key (and asking the ERP first) keeps the retry single.
        """
        statuses = [s.value for s in READY_TO_SUBMIT] + [
            OrderStatus.SUBMITTING.value,
            OrderStatus.FAILED.value,
        ]
        return list(
            self.session.scalars(
                select(PurchaseOrder)
                .where(PurchaseOrder.status.in_(statuses))
                .options(selectinload(PurchaseOrder.lines))
                .order_by(PurchaseOrder.id)
            )
        )

    def sent_since(self, since: date | None) -> list[PurchaseOrder]:
        """Orders the ERP should hold (submitted or confirmed), dated `since` or later."""
        sent = [OrderStatus.SUBMITTED.value, OrderStatus.CONFIRMED.value]
        query = select(PurchaseOrder).where(PurchaseOrder.status.in_(sent))
        if since is not None:
            query = query.where(PurchaseOrder.order_date >= since)
        return list(
            self.session.scalars(
                query.options(selectinload(PurchaseOrder.lines)).order_by(PurchaseOrder.id)
            )
        )

    def lines_of_night(self, order_date: date, sku: str, location: str) -> list[OrderLine]:
        """The lines of the orders dated `order_date` that buy the item-location, oldest
        order first, each with its order and the order's flags loaded (`replenish explain`).
        Any run's: a rerun of the night does not propose again what an earlier run did."""
        return list(
            self.session.scalars(
                select(OrderLine)
                .join(PurchaseOrder, PurchaseOrder.id == OrderLine.purchase_order_id)
                .where(
                    PurchaseOrder.order_date == order_date,
                    OrderLine.sku == sku,
                    OrderLine.location == location,
                )
                .options(selectinload(OrderLine.purchase_order).selectinload(PurchaseOrder.flags))
                .order_by(PurchaseOrder.id, OrderLine.id)
            )
        )

    def shadow_lines(self, run_id: str) -> list[dict[str, Any]]:
        """The lines of a run's shadow orders: what the product would have ordered."""
        rows = self.session.execute(
            select(
                OrderLine.sku,
                OrderLine.location,
                PurchaseOrder.supplier_id,
                OrderLine.proposed_quantity,
                OrderLine.line_value,
                PurchaseOrder.currency,
                PurchaseOrder.po_key,
            )
            .join(PurchaseOrder, PurchaseOrder.id == OrderLine.purchase_order_id)
            .where(
                PurchaseOrder.run_id == run_id,
                PurchaseOrder.status == OrderStatus.SHADOW.value,
            )
            .order_by(OrderLine.id)
        )
        return [dict(row._mapping) for row in rows]

    def latest_shadow_run(self) -> str | None:
        """The run of the latest order made in shadow mode (None: there is none)."""
        return self.session.scalar(
            select(PurchaseOrder.run_id)
            .where(PurchaseOrder.status == OrderStatus.SHADOW.value)
            .order_by(PurchaseOrder.created_at.desc(), PurchaseOrder.id.desc())
            .limit(1)
        )

    def own_references(self, refs: Iterable[str]) -> set[str]:
        """Those of `refs` that are the product's own orders: a key of ours, or the ERP's
        reference of an order we submitted (a live scope's order is no buyer's order)."""
        wanted, own = sorted(set(refs)), set()
        for start in range(0, len(wanted), 500):  # bounded IN lists
            part = wanted[start : start + 500]
            own |= set(
                self.session.scalars(
                    select(PurchaseOrder.po_key).where(PurchaseOrder.po_key.in_(part))
                )
            )
            own |= {
                str(ref)
                for ref in self.session.scalars(
                    select(Submission.external_ref).where(Submission.external_ref.in_(part))
                )
            }
        return own  # fmt: skip

    def handed_over_in(self, statuses: Iterable[str], without: str) -> list[PurchaseOrder]:
        """Orders once handed to the ERP's approvers (`handed_to_erp`) that are now in one
        of `statuses` and carry no audit record `without` yet: the ones an ERP-approval
        pass still owes a step (cancel their quotation once, alert once)."""

        def audited(action: str) -> Any:
            return exists().where(
                AuditRecord.entity_key == PurchaseOrder.po_key, AuditRecord.action == action
            )

        return list(
            self.session.scalars(
                select(PurchaseOrder)
                .where(
                    PurchaseOrder.status.in_(list(statuses)),
                    audited("handed_to_erp"),
                    ~audited(without),
                )
                .options(selectinload(PurchaseOrder.lines))
                .order_by(PurchaseOrder.id)
            )
        )
