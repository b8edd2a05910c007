"""The `forecast-monitoring` flow (nightly, after the run): forecasts against the demand
that then happened, drift per segment against its own baseline, and how the approval
process is doing. Stored per night (`monitoring_results`, the run's summary), published
as artifacts, and a drift e-mails the operator naming the segment."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from approvals.decision_stats import decision_metrics, judge_changes
from approvals.operator_alerts import forecast_drift
from flows import notify
from flows.alerts import tell_operator
from flows.side_runs import recorded_run
from forecasting.monitoring import DriftRules, drift, drift_headline, score_forecasts
from replenish.bootstrap import Services, build
from settings import load_settings
from storage import records
from storage.monitoring import MonitoringRepository

_EPOCH = date(1970, 1, 1)
RESULT_COLUMNS = [
    "kind", "segment", "series", "forecasts", "mase", "rmsse", "bias", "coverage", "target",
    "baseline_rmsse", "baseline_bias", "drift", "reason",
]  # fmt: skip


CHANGE_COLUMNS = [
    "as_of", "sku", "location", "proposed", "approved", "demand_mean", "protection_periods",
]  # fmt: skip


@flow(name="forecast-monitoring", on_failure=[tell_operator], on_crashed=[tell_operator])
def monitor_forecasts(config: str | None = None) -> dict[str, Any]:
    """Score stored forecasts against later demand per demand class, supplier and category;
    raise a drift alert naming the segment; report auto-approval rate, time to decision,
    flags overturned and quantities changed by people."""
    services = build(load_settings(Path(config) if config else None))
    try:
        with recorded_run(services, "monitoring") as run:
            as_of = date.fromisoformat(run.as_of)
            forecasts, actuals = stored_forecasts(services, as_of)
            table: pd.DataFrame = accuracy(services, forecasts, actuals)  # pandas is untyped
            people = approvals(services, as_of, actuals)
            store(services, run.run_id, as_of, table)
            publish(table, people)
            alerts = [str(r) for r in table.loc[table["drift"].astype(bool), "reason"]]
            if alerts:
                tell_drift(services, run.run_id, run.as_of, alerts)
            scored = f"{len(alerts)} drift alerts" if len(table) else "nothing scored yet"
            run.status, run.message = "succeeded", scored
            run.summary = {"drift": alerts, "segments": len(table), "approvals": people}
    finally:
        services.engine.dispose()
    return run.summary


def stored_forecasts(services: Services, as_of: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The forecasts of the last `lookback_days` and the demand sold since (one query)."""
    settings = services.settings
    with services.uow() as uow:
        since = as_of - timedelta(days=settings.monitoring.lookback_days)
        rows = MonitoringRepository(uow.session).forecasts_since(since)
    return monitoring_frames(rows, settings.forecast.days_per_period)


@task(name="score-forecasts", cache_policy=NO_CACHE)
def accuracy(services: Services, forecasts: pd.DataFrame, actuals: pd.DataFrame) -> pd.DataFrame:
    """Every segment's recent accuracy beside its baseline (vectorised)."""
    settings = services.settings
    rules = DriftRules(**settings.monitoring.model_dump(exclude={"lookback_days", "decision_days"}))
    scores = score_forecasts(forecasts, actuals, rules.horizon, rules.season)
    get_run_logger().info(
        "Scored %d forecasts of %d nights against later demand",
        len(scores),
        scores["origin"].nunique() if len(scores) else 0,
    )
    table = drift(scores, rules)
    return table.reindex(columns=RESULT_COLUMNS)


def monitoring_frames(
    rows: list[dict[str, Any]], days_per_period: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stored forecasts as the pure module's frames: the origin as a period number, and
    the demand as sold from each series' most recent history."""
    if not rows:
        return pd.DataFrame(), pd.DataFrame()
    frame = pd.DataFrame(rows)
    days = (pd.to_datetime(frame["as_of"]) - pd.Timestamp(_EPOCH)).dt.days
    frame["origin"] = np.floor(days / days_per_period).astype(int)
    # A night run twice keeps its later run's forecast.
    frame = frame.drop_duplicates(["origin", "sku", "location"], keep="last")
    frame = frame.rename(columns={"forecast_path": "path", "history_tail": "history"})
    for column in ("supplier_id", "category"):
        frame[column] = frame[column].fillna("(unknown)")
    latest = frame.drop_duplicates(["sku", "location"], keep="last")
    sold = latest[["sku", "location", "origin", "history"]].explode("history", ignore_index=True)
    position = sold.groupby(["sku", "location"]).cumcount(ascending=False)
    sold["period"] = sold["origin"] - 1 - position
    actuals = sold.assign(y=sold["history"].astype(float))[["sku", "location", "period", "y"]]
    return frame, actuals


@task(name="approval-figures", cache_policy=NO_CACHE)
def approvals(services: Services, as_of: date, actuals: pd.DataFrame) -> dict[str, Any]:
    """Auto-approval rate, time to decision, flags overturned, quantities changed, and
    whether people's changes did better than the proposal once demand was known."""
    settings = services.settings
    since = datetime.now(UTC) - timedelta(days=settings.monitoring.decision_days)
    with services.uow() as uow:
        repository = MonitoringRepository(uow.session)
        orders, lines = repository.decisions_since(since)
        changed = repository.changed_lines(
            as_of - timedelta(days=settings.monitoring.lookback_days)
        )
    order_columns = ["id", "created_at", "outcome", "channel", "decided_at"]
    line_columns = ["purchase_order_id", "proposed_quantity", "approved_quantity"]
    figures = decision_metrics(
        pd.DataFrame(orders, columns=[*order_columns, "po_key", "status"]),
        pd.DataFrame(lines, columns=line_columns),
    )
    changes = pd.DataFrame(changed, columns=CHANGE_COLUMNS)
    if len(changes):
        days = (pd.to_datetime(changes["as_of"]) - pd.Timestamp(_EPOCH)).dt.days
        changes["origin"] = np.floor(days / settings.forecast.days_per_period).astype(int)
    return {**figures, **judge_changes(changes, actuals)}


def store(services: Services, run_id: str, as_of: date, table: pd.DataFrame) -> None:
    rows = [
        {k: records.clean(v) for k, v in row.items()}
        for row in table.assign(
            segment=table["segment"].astype(str),
            drift=table["drift"].astype(bool),
            reason=table["reason"].fillna(""),
        ).to_dict("records")
    ]
    with services.uow() as uow:
        MonitoringRepository(uow.session).add_results(run_id, as_of, rows)
        uow.commit()


def publish(table: pd.DataFrame, people: dict[str, Any]) -> None:
    shown = table.assign(segment=table["segment"].astype(str)).round(3)
    create_table_artifact(
        key="forecast-accuracy",
        table=[{k: records.clean(v) for k, v in r.items()} for r in shown.to_dict("records")],
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
    url = flow_run.get_flow_run_ui_url()
    mail = forecast_drift(
        sender=settings.email.sender,
        operator=settings.approvals.operator,
        as_of=as_of,
        reasons=reasons,
        url=url,
    )
    notify.send(services, run_id, [mail])
