"""The forecast stage: every item-location's demand forecast, with its progress logged.

Kept apart from planning (`flows.ordering`): this is the stage that runs for minutes on
a large catalogue, logs each model call as it finishes and may run its model calls on a
Dask cluster (`forecast.dask_address`).
"""

from __future__ import annotations

from datetime import date

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from dataquality import ValidationResult
from forecasting import ForecastParams, ForecastResult, execution, forecast_demand, progress
from integrations.dask_cluster import dask_backend


@task(name="forecast", cache_policy=NO_CACHE)
def forecast(checked: ValidationResult, as_of: date, params: ForecastParams) -> ForecastResult:
    """Forecast every item-location in one statsforecast pass; lead-time demand quantiles.

    Logs each model call as it finishes (series forecast so far, of how many), so a long
    night shows it is moving."""
    items = checked.tables["items"]
    with (
        progress.listening(_ForecastProgress(len(items))),
        dask_backend(params.dask_address) as cluster,
        execution.running_on(cluster),
    ):
        if cluster is not None:
            get_run_logger().info("Forecast models run on the Dask cluster %s", params.dask_address)
        result = forecast_demand(
            checked.tables["demand"], items, as_of=as_of, params=params,
            stock_history=checked.tables.get("stock_history"),
        )  # fmt: skip
    classes = result.summary["demand_class"].value_counts().to_dict()
    get_run_logger().info("Forecast %d series: %s", len(result.summary), classes)
    return result


class _ForecastProgress:
    """Counts series per stage and logs one line per model call."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done: dict[str, int] = {}

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
            get_run_logger().info("Backtest of %s on %d series done", model, series)
