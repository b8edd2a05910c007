"""The `forecast-monitoring` flow (nightly, after the run): forecasts against the demand
that then happened, drift per segment against its own baseline, and how the approval
process is doing. Stored per night (`monitoring_results`, the run's summary), published
as artifacts, and a drift e-mails the operator naming the segment."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from approvals.operator_alerts import forecast_drift
from flows import notify
from flows.alerts import tell_operator
from flows.side_runs import recorded_run
from forecasting.monitoring import drift_headline
from replenish.bootstrap import Services, composed
from services import forecast_monitoring as monitoring
from services import value_report as value
from services.artifact_rows import json_rows
from services.value_text import render_markdown


@flow(name="forecast-monitoring", on_failure=[tell_operator], on_crashed=[tell_operator])
def monitor_forecasts(config: str | None = None) -> dict[str, Any]:
    """Score stored forecasts against later demand per demand class, supplier and category;
    raise a drift alert naming the segment; report auto-approval rate, time to decision,
    flags overturned and quantities changed by people."""
    with composed(config) as services, recorded_run(services, "monitoring") as run:
        as_of = date.fromisoformat(run.as_of)
        forecasts, actuals = monitoring.stored_forecasts(services.uow, services.settings, as_of)
        table: pd.DataFrame = accuracy(services, forecasts, actuals)  # pandas is untyped
        people = approvals(services, as_of, actuals)
        monitoring.store_results(services.uow, run.run_id, as_of, table)
        publish(table, people)
        worth = value_report(services, as_of)
        alerts = monitoring.drift_reasons(table)
        if alerts:
            tell_drift(services, run.run_id, run.as_of, alerts)
        scored = f"{len(alerts)} drift alerts" if len(table) else "nothing scored yet"
        run.status, run.message = "succeeded", scored
        run.summary = {"drift": alerts, "segments": len(table), "approvals": people,
                       "value": worth}  # fmt: skip
    return run.summary


@task(name="score-forecasts", cache_policy=NO_CACHE)
def accuracy(services: Services, forecasts: pd.DataFrame, actuals: pd.DataFrame) -> pd.DataFrame:
    """Every segment's recent accuracy beside its baseline (vectorised)."""
    return monitoring.segment_accuracy(services.settings, forecasts, actuals, get_run_logger())


@task(name="approval-figures", cache_policy=NO_CACHE)
def approvals(services: Services, as_of: date, actuals: pd.DataFrame) -> dict[str, Any]:
    """Auto-approval rate, time to decision, flags overturned, quantities changed, and
    whether people's changes did better than the proposal once demand was known."""
    return monitoring.approval_figures(services.uow, services.settings, as_of, actuals)


@task(name="value-report", cache_policy=NO_CACHE)
def value_report(services: Services, as_of: date) -> dict[str, Any]:
    """What the nights were worth (Markdown table and chart), and parameter changes learnt
    from buyers proposed to the administrators (e-mailed; none takes effect by itself)."""
    report, proposed = value.publishable_report(services.uow, services.settings, as_of)
    create_markdown_artifact(
        key="value-report",
        markdown=render_markdown(report),
        description="What the nights were worth (docs/value-report.md).",
    )
    return {"lines": report.total.lines, "new_proposals": proposed}


def publish(table: pd.DataFrame, people: dict[str, Any]) -> None:
    create_table_artifact(
        key="forecast-accuracy",
        table=json_rows(table.assign(segment=table["segment"].astype(str)).round(3)),
        description="MASE, RMSSE, bias and coverage per demand class, supplier and category, "
        "recent nights against each segment's own baseline.",
    )
    markdown = "# Forecast drift\n\n" + drift_headline(table)
    create_markdown_artifact(key="forecast-drift", markdown=markdown)
    create_table_artifact(
        key="approval-figures",
        table=[{"figure": k, "value": v} for k, v in people.items()],
        description="Auto-approval rate, hours to a decision, flags overturned and "
        "quantities changed by people.",
    )


def tell_drift(services: Services, run_id: str, as_of: str, reasons: list[str]) -> None:
    settings = services.settings
    mail = forecast_drift(
        sender=settings.email.sender,
        operator=settings.approvals.operator,
        as_of=as_of,
        reasons=reasons,
        url=flow_run.get_flow_run_ui_url(),
    )
    notify.send(services, run_id, [mail])
