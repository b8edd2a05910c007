"""The nightly run's reconciliation artifact: our recent orders against the ERP's."""

from __future__ import annotations

from datetime import date, timedelta

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from integrations.erp.base import ErpError, ReconcilableErp
from replenish.bootstrap import Services
from services.reconciliation import Reconciliation, as_markdown, reconcile


@task(name="reconcile", cache_policy=NO_CACHE)
def publish(services: Services, as_of: date) -> Reconciliation | None:
    """Publish `erp-reconciliation` (a markdown table of the differences) for the orders of
    the last `erp.reconcile_days` days. Informative: a failure is logged, never fails the
    run, and an ERP that cannot list its orders is skipped."""
    log = get_run_logger()
    if not isinstance(services.erp, ReconcilableErp):
        log.info("The %s ERP cannot list its orders: no reconciliation", services.erp.name)
        return None
    since = as_of - timedelta(days=services.settings.erp.reconcile_days)
    try:
        result = reconcile(services.uow, services.erp, since)
    except ErpError as error:
        log.warning("No ERP reconciliation tonight: %s", error)
        return None
    create_markdown_artifact(
        key="erp-reconciliation",
        markdown=as_markdown(result),
        description="Orders sent against the orders the ERP holds under our keys",
    )
    if not result.agrees:
        log.warning("The ERP differs from the orders sent: see the erp-reconciliation artifact")
    return result
