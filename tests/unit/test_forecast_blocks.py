"""Model calls in blocks of series (`forecasting.execution.in_blocks`, sized by the night
to `run.memory_budget_mb`) give the same forecasts and the same orders as one pass.

A few hundred item-locations of the sample data (every demand class, new and dormant
items), validated and forecast with the default settings (backtest choice, calibrated
quantiles), once in one pass and once in blocks of 37 series: the forecast frames must
be equal to the last bit, and so must the order lines and purchase orders planned from
them.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from cli.sample_data import write_sample_data
from dataquality import ValidationResult, validate
from forecasting import ForecastResult, execution, forecast_demand, progress
from integrations.sources.csv_folder import read_csv_folder
from purchasing import group_orders, plan_lines
from services.memory_budget import series_per_block
from settings import Settings

AS_OF = date(2026, 11, 25)


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> tuple[ValidationResult, Settings]:
    folder: Path = tmp_path_factory.mktemp("blocks")
    write_sample_data(folder, items=150, seed=11, as_of=AS_OF)
    settings = Settings()
    checked = validate(read_csv_folder(folder).frames, as_of=AS_OF, rules=settings.validation)
    return checked, settings


def _forecast(checked: ValidationResult, settings: Settings) -> ForecastResult:
    t = checked.tables
    return forecast_demand(
        t["demand"], t["items"], as_of=AS_OF, params=settings.forecast,
        stock_history=t.get("stock_history"),
    )  # fmt: skip


def _orders(
    checked: ValidationResult, settings: Settings, result: ForecastResult
) -> tuple[pd.DataFrame, pd.DataFrame]:
    t = checked.tables
    lines = plan_lines(result.summary, t["items"], t["stock"], t["open_orders"], as_of=AS_OF,
                       params=settings.policy)  # fmt: skip
    orders, lines = group_orders(lines, t["suppliers"], as_of=AS_OF, params=settings.policy)
    return lines, orders


@pytest.mark.slow  # two forecasts of a few hundred series with the default model choice
def test_blocks_give_the_same_forecasts_and_orders_as_one_pass(
    night: tuple[ValidationResult, Settings],
) -> None:
    checked, settings = night
    one_pass = _forecast(checked, settings)
    calls: list[tuple[str, str, int]] = []
    with execution.in_blocks(37), progress.listening(lambda *call: calls.append(call)):
        blocked = _forecast(checked, settings)

    series = len(one_pass.summary)
    assert series >= 250  # a few hundred item-locations, every class
    assert {"smooth", "intermittent", "lumpy", "new"} <= set(one_pass.summary["demand_class"])
    # the blocks really were blocks: no model call took more than 37 series
    model_calls = [c for c in calls if c[0] in ("backtest", "forecast") and "rule" not in c[1]]
    assert max(c[2] for c in model_calls) <= 37
    assert any("block 2 of" in c[1] for c in model_calls)
    pd.testing.assert_frame_equal(blocked.summary, one_pass.summary)
    pd.testing.assert_frame_equal(blocked.path, one_pass.path)
    pd.testing.assert_frame_equal(blocked.history, one_pass.history)

    lines, orders = _orders(checked, settings, one_pass)
    blocked_lines, blocked_orders = _orders(checked, settings, blocked)
    assert int((lines["order_qty"] > 0).sum()) > 20  # the night orders something
    pd.testing.assert_frame_equal(blocked_lines, lines)
    pd.testing.assert_frame_equal(blocked_orders, orders)


def test_the_block_size_follows_the_budget() -> None:
    two_years = 730.0
    small = series_per_block(800, two_years, resident_mb=500)
    large = series_per_block(3000, two_years, resident_mb=500)
    assert small < large
    # a budget already spent still leaves a workable block, never zero series
    assert series_per_block(600, two_years, resident_mb=900) >= 500
    # longer histories take more memory per series: fewer of them per block
    assert series_per_block(3000, 4 * two_years, resident_mb=500) < large
