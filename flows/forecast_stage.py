"""The forecast stage: every item-location's demand forecast, with its progress shown.

Kept apart from planning (`flows.ordering`): this is the stage that runs for minutes on
a large catalogue, logs each model call as it finishes, tells the run's progress
(`services.run_progress`: the Prefect progress artifact, the CLI's bar), runs its model
calls in blocks of series sized to `run.memory_budget_mb` and may run them on a Dask
cluster (`forecast.dask_address`).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from dataquality import ValidationResult
from forecasting import ForecastParams, ForecastResult, execution, forecast_demand, progress
from integrations.dask_cluster import dask_backend
from services import run_progress
from services.memory_budget import block_size


class Handover:
    """The night's demand history passed on once: whoever takes it holds the only
    reference, so it is freed when they are done with it (not when the flow returns)."""

    def __init__(self, demand: pd.DataFrame) -> None:
        self._demand: pd.DataFrame | None = demand

    def peek(self) -> pd.DataFrame:
        """The history, still held here."""
        if self._demand is None:
            raise RuntimeError("the demand history was already taken")
        return self._demand

    def take(self) -> pd.DataFrame:
        """The history, no longer held here."""
        demand = self.peek()
        self._demand = None
        return demand


@task(name="forecast", cache_policy=NO_CACHE)
def forecast(
    checked: ValidationResult,
    demand: Handover,
    as_of: date,
    params: ForecastParams,
    budget_mb: int | None = None,
) -> ForecastResult:
    """Forecast every item-location from the `demand` history handed over (the validated
    one: `checked` no longer holds it), each model call over blocks of series sized to
    `budget_mb` (None: one call over all of a model's series); lead-time demand quantiles.

    Logs each model call as it finishes (series forecast so far, of how many), so a long
    night shows it is moving. Blocks change no forecast: each series is fitted alone."""
    items = checked.tables["items"]
    block = None if budget_mb is None else block_size(demand.peek(), params, budget_mb)
    with (
        progress.listening(_ForecastProgress(len(items))),
        dask_backend(params.dask_address) as cluster,
        execution.running_on(cluster),
        execution.in_blocks(block),
    ):
        if cluster is not None:
            get_run_logger().info("Forecast models run on the Dask cluster %s", params.dask_address)
        if block is not None:
            get_run_logger().info(
                "Model calls take at most %d series at a time (run.memory_budget_mb = %d)",
                block, budget_mb,
            )  # fmt: skip
        # taken, not kept here: the engine frees it once its series are built
        result = forecast_demand(
            demand.take(), items, as_of=as_of, params=params,
            stock_history=checked.tables.get("stock_history"),
        )  # fmt: skip
    classes = result.summary["demand_class"].value_counts().to_dict()
    get_run_logger().info("Forecast %d series: %s", len(result.summary), classes)
    return result


class _ForecastProgress:
    """Counts series per stage, logs one line per model call and tells the run's progress."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done: dict[str, int] = {}
        self.backtests = 0

    def __call__(self, stage: str, model: str, series: int) -> None:
        if stage == "catalogue":  # the active item-locations, once known
            self.total = series
            get_run_logger().info("Forecasting %d item-locations", series)
            return
        self.done[stage] = self.done.get(stage, 0) + series
        if stage == "forecast":
            get_run_logger().info(
                "Forecast %s on %d series: %d of %d item-locations so far",
                model, series, self.done[stage], self.total,
            )  # fmt: skip
        else:
            self.backtests += 1
            get_run_logger().info("Backtest of %s on %d series done", model, series)
        run_progress.forecast_step(
            stage, model, self.done.get("forecast", 0), self.total, self.backtests
        )
