"""Where the model calls run: a backend's results come back in the single-process order
and dtypes, so the forecast after a model call does not depend on where it ran."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from forecasting import ForecastParams, execution, forecast_demand


class ShuffledBackend:
    """Runs the calls here but hands results back as a cluster may: rows in another
    order, ids as text and forecasts as float32 (what the distributed schema declares)."""

    def __init__(self) -> None:
        self.calls = 0

    def distribute(self, frame: pd.DataFrame) -> Any:
        self.calls += 1
        return frame.assign(unique_id=frame["unique_id"].astype(str))

    def collect(self, result: Any) -> pd.DataFrame:
        shuffled = result.sample(frac=1.0, random_state=0).reset_index(drop=True)
        numbers = [c for c in shuffled.columns if c not in ("unique_id", "ds", "cutoff")]
        return shuffled.astype(dict.fromkeys(numbers, "float32"))


def _catalogue() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(8)
    dates = pd.date_range(end="2025-02-03", periods=300)
    rows = []
    for i, rate in enumerate([6.0, 0.4, 12.0, 0.2]):
        quantity = rng.poisson(rate, len(dates)).astype(float)
        sold = quantity > 0
        rows.append(
            pd.DataFrame({"sku": f"S{i}", "location": "L1", "date": dates[sold],
                          "quantity": quantity[sold], "channel": ""})
        )  # fmt: skip
    items = pd.DataFrame({"sku": [f"S{i}" for i in range(4)], "location": "L1",
                          "lead_time_days": 7.0, "active": True})  # fmt: skip
    return pd.concat(rows, ignore_index=True), items


def test_results_from_a_backend_are_put_back_in_order_and_dtypes() -> None:
    demand, items = _catalogue()
    params = ForecastParams()
    alone = forecast_demand(demand, items, as_of=date(2025, 2, 4), params=params)
    backend = ShuffledBackend()
    with execution.running_on(backend):
        moved = forecast_demand(demand, items, as_of=date(2025, 2, 4), params=params)
    assert backend.calls > 0  # both the backtest and the final fits went through it
    assert list(moved.summary["model"]) == list(alone.summary["model"])
    np.testing.assert_allclose(
        moved.summary["demand_mean"].to_numpy(float),
        alone.summary["demand_mean"].to_numpy(float),
        rtol=1e-5,
    )
    np.testing.assert_allclose(
        moved.path["mean"].to_numpy(float), alone.path["mean"].to_numpy(float), rtol=1e-5
    )
