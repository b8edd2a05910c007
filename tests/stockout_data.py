"""A year of steady daily demand with three out-of-stock spells, and its stock history:
the fixture the censoring tests (unit and database) share."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting import ForecastParams

AS_OF = date(2024, 1, 5)
DAYS = pd.date_range("2023-01-06", "2024-01-04", freq="D")  # a year before the run
ITEMS = pd.DataFrame(
    {"sku": ["A"], "location": "WH1", "lead_time_days": 7.0, "review_period_days": 7.0}
)
PARAMS = ForecastParams(choose_by_backtest=False)


def steady_with_stockouts() -> tuple[pd.DataFrame, pd.DataFrame]:
    """About 10 a day, except three out-of-stock spells (45 days) where nothing sold."""
    rng = np.random.default_rng(7)
    quantity = rng.poisson(10.0, len(DAYS)).astype(float)
    out = np.zeros(len(DAYS), dtype=bool)
    for start in (100, 200, len(DAYS) - 20):  # the last spell ends the history
        out[start : start + 15] = True
    quantity[out] = 0.0
    demand = pd.DataFrame({"sku": "A", "location": "WH1", "date": DAYS, "quantity": quantity})
    on_hand = np.where(out, 0.0, 25.0)
    history = pd.DataFrame({"sku": "A", "location": "WH1", "date": DAYS, "on_hand": on_hand})
    return demand, history


def write_extract(folder: Path) -> None:
    """The series as a CSV extract of one item, with its stock_history.csv."""
    demand, history = steady_with_stockouts()
    files = {
        "items.csv": "sku,location,supplier_id,unit_cost,pack_size,moq,lead_time_days\n"
        "A,WH1,S1,2,1,0,7\n",
        "suppliers.csv": "supplier_id,name\nS1,Acme\n",
        "stock.csv": "sku,location,on_hand\nA,WH1,0\n",
    }
    for name, text in files.items():
        (folder / name).write_text(text)
    demand.assign(date=demand["date"].dt.strftime("%Y-%m-%d")).to_csv(
        folder / "demand.csv", index=False
    )
    history.assign(date=history["date"].dt.strftime("%Y-%m-%d")).to_csv(
        folder / "stock_history.csv", index=False
    )
