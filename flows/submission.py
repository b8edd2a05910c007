"""Submit approved orders to the ERP exactly once (the nightly run's submit stage)."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.identity import NIGHTLY
from replenish.bootstrap import Services
from services.erp_calls import ErpCalls
from services.submission import Submitted, submit_approved

__all__ = ["Submitted", "submit"]


@task(name="submit", cache_policy=NO_CACHE)
def submit(services: Services, calls: ErpCalls | None = None) -> Submitted:
    """Send every approved order to the ERP exactly once (see `services.submission`)."""
    return submit_approved(services.uow, services.erp, NIGHTLY, get_run_logger(), calls)
