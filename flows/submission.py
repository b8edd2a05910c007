"""Submit approved orders to the ERP exactly once (the nightly run's submit stage)."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.identity import NIGHTLY
from integrations.erp.approval import ApprovingErp
from replenish.bootstrap import Services
from services.erp_approvals import sync_erp_approvals
from services.erp_calls import ErpCalls
from services.erp_truth import keep_one_truth
from services.mailings import alert_mailing
from services.notifications import deliver_queued
from services.submission import Submitted, submit_approved

__all__ = ["Submitted", "submit"]


@task(name="submit", cache_policy=NO_CACHE)
def submit(services: Services, calls: ErpCalls | None = None) -> Submitted:
    """Send every approved order to the ERP exactly once (see `services.submission`).

    With approval inside the ERP, first record the ERP's verdicts on waiting orders and
    hand the undecided ones over (see `services.erp_approvals`), then make both sides
    agree on orders decided against here (`services.erp_truth`).
    """
    erp = services.erp
    if isinstance(erp, ApprovingErp) and erp.approves_in_erp():
        sync_erp_approvals(services.uow, erp, get_run_logger())
        keep_one_truth(services.uow, erp, alert_mailing(services.settings),
                       lambda: deliver_queued(services.uow, services.mailer, None),
                       get_run_logger())  # fmt: skip
    return submit_approved(services.uow, services.erp, NIGHTLY, get_run_logger(), calls)
