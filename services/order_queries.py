"""Read-only questions the flows ask about stored orders: one short unit of work each,
so a flow never holds a session (or knows a repository) itself."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from storage.unit_of_work import UnitOfWork


def status_of(uow_factory: Callable[[], UnitOfWork], po_key: str) -> str | None:
    """The order's status now, or None when there is no such order."""
    with uow_factory() as uow:
        order = uow.orders.get(po_key)
        return None if order is None else order.status


def erp_references(uow_factory: Callable[[], UnitOfWork], po_keys: Iterable[str]) -> dict[str, str]:
    """The ERP's reference of each submitted order, for the run's artifact."""
    with uow_factory() as uow:
        return uow.orders.external_refs(po_keys)


def failing_submissions(
    uow_factory: Callable[[], UnitOfWork], min_attempts: int
) -> list[tuple[str, int, str, bool]]:
    """(po_key, attempts, last error, rejected) of each order the ERP rejected, or could
    not take `min_attempts` times."""
    with uow_factory() as uow:
        return [
            (s.po_key, s.attempts, s.error or "", s.status == "rejected")
            for s in uow.orders.failing_submissions(min_attempts)
        ]
