"""Forecast monitoring: stored forecasts scored against the demand that then happened,
drift per segment, the approval figures, and the results stored per night.

The use cases behind the `forecast-monitoring` flow; the arithmetic is pure
(`forecasting.monitoring`, `approvals.decision_stats`), this module reads and writes it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd

from approvals.decision_stats import decision_metrics, judge_changes
from forecasting.monitoring import DriftRules, drift, period_number, score_forecasts
from services.artifact_rows import json_rows
from services.notifications import Log
from settings import Settings
from storage.monitoring import MonitoringRepository
from storage.unit_of_work import UnitOfWork

RESULT_COLUMNS = [
    "kind", "segment", "series", "forecasts", "mase", "rmsse", "bias", "coverage", "target",
    "baseline_rmsse", "baseline_bias", "drift", "reason",
]  # fmt: skip
CHANGE_COLUMNS = [
    "as_of", "sku", "location", "proposed", "approved", "demand_mean", "protection_periods",
]  # fmt: skip
UowFactory = Callable[[], UnitOfWork]


def stored_forecasts(
    uow: UowFactory, settings: Settings, as_of: date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The forecasts of the last `lookback_days` and the demand sold since (one query)."""
    with uow() as work:
        since = as_of - timedelta(days=settings.monitoring.lookback_days)
        rows = MonitoringRepository(work.session).forecasts_since(since)
    return monitoring_frames(rows, settings.forecast.days_per_period)


def monitoring_frames(
    rows: list[dict[str, Any]], days_per_period: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stored forecasts as the pure module's frames: the origin as a period number, and
    the demand as sold from each series' most recent history."""
    if not rows:
        return pd.DataFrame(), pd.DataFrame()
    frame = pd.DataFrame(rows)
    frame["origin"] = period_number(frame["as_of"], days_per_period)
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


def segment_accuracy(
    settings: Settings, forecasts: pd.DataFrame, actuals: pd.DataFrame, log: Log
) -> pd.DataFrame:
    """Every segment's recent accuracy beside its baseline (vectorised), RESULT_COLUMNS."""
    monitoring = settings.monitoring.model_dump(exclude={"lookback_days", "decision_days"})
    rules = DriftRules(**monitoring)
    scores = score_forecasts(forecasts, actuals, rules.horizon, rules.season)
    log.info(
        "Scored %d forecasts of %d nights against later demand",
        len(scores),
        scores["origin"].nunique() if len(scores) else 0,
    )
    table = drift(scores, rules)
    return table.reindex(columns=RESULT_COLUMNS)


def drift_reasons(table: pd.DataFrame) -> list[str]:
    """One sentence per segment that drifted, naming it."""
    return [str(r) for r in table.loc[table["drift"].astype(bool), "reason"]]


def approval_figures(
    uow: UowFactory, settings: Settings, as_of: date, actuals: pd.DataFrame
) -> dict[str, Any]:
    """Auto-approval rate, time to decision, flags overturned, quantities changed, and
    whether people's changes did better than the proposal once demand was known."""
    since = datetime.now(UTC) - timedelta(days=settings.monitoring.decision_days)
    with uow() as work:
        repository = MonitoringRepository(work.session)
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
        changes["origin"] = period_number(changes["as_of"], settings.forecast.days_per_period)
    return {**figures, **judge_changes(changes, actuals)}


def store_results(uow: UowFactory, run_id: str, as_of: date, table: pd.DataFrame) -> None:
    """The night's accuracy per segment, in `monitoring_results` under its run."""
    rows = json_rows(
        table.assign(
            segment=table["segment"].astype(str),
            drift=table["drift"].astype(bool),
            reason=table["reason"].fillna(""),
        )
    )
    with uow() as work:
        MonitoringRepository(work.session).add_results(run_id, as_of, rows)
        work.commit()
