"""The forecast on a real Dask cluster (two worker processes on loopback) gives the same
forecasts as the single-process run: same models chosen, same means and quantiles to
the float tolerance of the distributed backend (it declares its forecasts float32); and
the same orders planned from them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from distributed import LocalCluster

from cli.sample_data import write_sample_data
from dataquality import validate
from forecasting import ForecastParams, execution, forecast_demand
from integrations.dask_cluster import DaskUnavailable, dask_backend, local_workers
from integrations.sources.csv_folder import read_csv_folder
from purchasing import group_orders, plan_lines
from settings import Settings

AS_OF = date(2026, 11, 25)
DAYS = 400


def _catalogue() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Smooth, seasonal, intermittent and lumpy item-locations, one new item, one never sold."""
    rng = np.random.default_rng(3)
    dates = pd.date_range(end=pd.Timestamp(AS_OF) - pd.Timedelta(days=1), periods=DAYS)
    weekly = 1 + 0.5 * np.sin(2 * np.pi * np.arange(DAYS) / 7)
    patterns = {
        "smooth": lambda: rng.poisson(8, DAYS),
        "seasonal": lambda: rng.poisson(6 * weekly),
        "intermittent": lambda: rng.poisson(0.3, DAYS),
        "lumpy": lambda: rng.binomial(1, 0.1, DAYS) * np.ceil(rng.lognormal(1.0, 1.2, DAYS)),
    }
    frames, keys = [], []
    for name, draw in patterns.items():
        for location in ("north", "south", "east"):
            quantity = draw().astype(float)
            sold = quantity > 0
            keys.append((f"{name}-1", location))
            frames.append(
                pd.DataFrame(
                    {
                        "sku": f"{name}-1",
                        "location": location,
                        "date": dates[sold],
                        "quantity": quantity[sold],
                        "channel": "",
                    }
                )
            )
    new = dates[-20:]  # a new item: too little history for a model
    frames.append(
        pd.DataFrame(
            {"sku": "new-1", "location": "north", "date": new, "quantity": 3.0, "channel": ""}
        )
    )
    keys += [("new-1", "north"), ("never-1", "north")]
    items = pd.DataFrame(
        {
            "sku": [k[0] for k in keys],
            "location": [k[1] for k in keys],
            "lead_time_days": 7.0,
            "lead_time_std_days": 1.0,
            "review_period_days": 7.0,
            "service_level": 0.95,
            "category": "c",
            "active": True,
        }
    )
    return pd.concat(frames, ignore_index=True), items


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    """Two worker processes on loopback, as an operator's existing cluster would be."""
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as running:
        yield running


@pytest.mark.slow  # a Dask cluster of worker processes starts: tens of seconds
def test_forecasts_on_a_dask_cluster_match_the_single_process_run(cluster: LocalCluster) -> None:
    demand, items = _catalogue()
    params = ForecastParams()
    alone = forecast_demand(demand, items, as_of=AS_OF, params=params)
    with dask_backend(cluster.scheduler_address) as backend, execution.running_on(backend):
        assert backend is not None
        spread = forecast_demand(demand, items, as_of=AS_OF, params=params)

    one, other = alone.summary, spread.summary
    assert list(one["sku"]) == list(other["sku"])
    assert list(one["model"]) == list(other["model"])
    # the backtest's choice ran on the cluster too: every class got a model call there
    assert set(one["demand_class"]) >= {"smooth", "intermittent", "lumpy"}
    for column in ("demand_mean", "demand_std", "demand_quantile", "mean_per_period"):
        np.testing.assert_allclose(
            other[column].to_numpy(float), one[column].to_numpy(float), rtol=1e-4, atol=1e-4
        )
    np.testing.assert_allclose(
        spread.path["mean"].to_numpy(float),
        alone.path["mean"].to_numpy(float),
        rtol=1e-4,
        atol=1e-5,
    )


@pytest.mark.slow
def test_the_local_address_starts_and_stops_its_own_cluster() -> None:
    demand, items = _catalogue()
    keep = items["sku"].str.startswith(("smooth", "intermittent"))
    demand = demand.loc[demand["sku"].str.startswith(("smooth", "intermittent"))]
    params = ForecastParams(choose_by_backtest=False)
    alone = forecast_demand(demand, items.loc[keep], as_of=AS_OF, params=params)
    with dask_backend("local:2") as backend, execution.running_on(backend):
        assert backend is not None
        assert len(backend.client.scheduler_info()["workers"]) == 2
        spread = forecast_demand(demand, items.loc[keep], as_of=AS_OF, params=params)
    assert list(alone.summary["model"]) == list(spread.summary["model"])
    np.testing.assert_allclose(
        spread.summary["demand_mean"].to_numpy(float),
        alone.summary["demand_mean"].to_numpy(float),
        rtol=1e-4,
    )


@pytest.mark.parametrize(
    ("address", "workers"),
    [("local", None), ("local:2", 2), (" LOCAL:3 ", 3), ("tcp://127.0.0.1:8786", None)],
)
def test_local_addresses_name_worker_counts(address: str, workers: int | None) -> None:
    found = local_workers(address)
    if address.strip().lower() == "local":  # one worker per core
        assert found == max(1, os.cpu_count() or 1)
    else:
        assert found == workers


def test_an_unreachable_scheduler_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("integrations.dask_cluster.CONNECT_TIMEOUT_S", 1)
    with (
        pytest.raises(DaskUnavailable, match="cannot reach the Dask scheduler"),
        dask_backend("tcp://127.0.0.1:9"),
    ):
        pass  # pragma: no cover


@pytest.mark.slow
def test_orders_planned_from_the_cluster_match_the_single_process_run(
    cluster: LocalCluster, tmp_path: Path
) -> None:
    """Not only the forecasts: the order lines and purchase orders planned from them are
    the same, on the sample data (every demand class, new and dormant items), with the
    model calls in blocks as the nightly stage runs them."""
    write_sample_data(tmp_path, items=60, seed=5, as_of=AS_OF)
    settings = Settings()
    checked = validate(read_csv_folder(tmp_path).frames, as_of=AS_OF, rules=settings.validation)
    t = checked.tables

    def orders() -> tuple[pd.DataFrame, pd.DataFrame]:
        result = forecast_demand(t["demand"], t["items"], as_of=AS_OF, params=settings.forecast,
                                 stock_history=t.get("stock_history"))  # fmt: skip
        lines = plan_lines(result.summary, t["items"], t["stock"], t["open_orders"],
                           as_of=AS_OF, params=settings.policy)  # fmt: skip
        return group_orders(lines, t["suppliers"], as_of=AS_OF, params=settings.policy)

    alone_orders, alone_lines = orders()
    with (
        dask_backend(cluster.scheduler_address) as backend,
        execution.running_on(backend),
        execution.in_blocks(40),
    ):
        spread_orders, spread_lines = orders()

    assert int((alone_lines["order_qty"] > 0).sum()) > 10  # the night orders something
    keys = ["po_key", "sku", "location", "order_qty"]
    pd.testing.assert_frame_equal(spread_lines[keys], alone_lines[keys])
    pd.testing.assert_frame_equal(spread_orders, alone_orders)
