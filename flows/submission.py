"""Submit approved orders to the ERP exactly once (the nightly run's submit stage)."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.identity import NIGHTLY
from integrations.erp.approval import ApprovingErp
from replenish.bootstrap import Services
from services.erp_approvals import sync_erp_approvals
from services.erp_calls import ErpCalls
from services.submission import Submitted, submit_approved

__all__ = ["Submitted", "submit"]


@task(name="submit", cache_policy=NO_CACHE)
def submit(services: Services, calls: ErpCalls | None = None) -> Submitted:
    """Send every approved order to the ERP exactly once (see `services.submission`).

    With approval inside the ERP, first record the ERP's verdicts on waiting orders and
    hand the undecided ones over (see `services.erp_approvals`).
    """
    if isinstance(services.erp, ApprovingErp) and services.erp.approves_in_erp():
        sync_erp_approvals(services.uow, services.erp, get_run_logger())
    return submit_approved(services.uow, services.erp, NIGHTLY, get_run_logger(), calls)
