"""The frames between the stages keep the promises docs/frames.md makes: checked on the
real pure pipeline (validate, forecast, plan, group, flag) over sample data, and the
checker itself reports every broken promise with its rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from contracts import frame_schemas as schemas
from contracts.frames import FrameContractError

AS_OF = date(2026, 11, 25)


@dataclass(frozen=True)
class Pipeline:
    checked: object
    forecast: object
    lines: pd.DataFrame
    orders: pd.DataFrame
    flags: pd.DataFrame


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    from cli.sample_data import write_sample_data
    from dataquality import validate
    from flags import flag_orders
    from forecasting import forecast_demand
    from integrations.sources.csv_folder import read_csv_folder
    from purchasing import group_orders, plan_lines
    from settings import Settings

    folder: Path = tmp_path_factory.mktemp("sample")
    write_sample_data(folder, items=15, seed=5, dirty=0.05, as_of=AS_OF)
    settings = Settings()
    checked = validate(read_csv_folder(folder).frames, as_of=AS_OF, rules=settings.validation)
    t = checked.tables
    forecast = forecast_demand(t["demand"], t["items"], as_of=AS_OF, params=settings.forecast)
    lines = plan_lines(forecast.summary, t["items"], t["stock"], t["open_orders"], as_of=AS_OF,
                       params=settings.policy)  # fmt: skip
    orders, lines = group_orders(lines, t["suppliers"], as_of=AS_OF, params=settings.policy)
    flags = flag_orders(lines, orders, forecast.summary, checked.quarantined_items,
                        settings.flags, currencies=settings.currency)  # fmt: skip
    return Pipeline(checked, forecast, lines, orders, flags)


@pytest.mark.parametrize("kind", sorted(schemas.VALIDATED))
def test_validated_inputs_keep_their_schema(pipeline: Pipeline, kind: str) -> None:
    table = pipeline.checked.tables[kind]  # type: ignore[attr-defined]
    assert schemas.VALIDATED[kind].failures(table) == []


def test_counts_forecast_plan_orders_and_flags_keep_their_schemas(pipeline: Pipeline) -> None:
    assert schemas.COUNTS.failures(pipeline.checked.counts) == []  # type: ignore[attr-defined]
    assert schemas.FORECAST_SUMMARY.failures(pipeline.forecast.summary) == []  # type: ignore[attr-defined]
    assert schemas.FORECAST_PATH.failures(pipeline.forecast.path) == []  # type: ignore[attr-defined]
    assert schemas.PLAN_LINES.failures(pipeline.lines) == []
    assert schemas.ORDERS.failures(pipeline.orders) == []
    assert len(pipeline.lines)
    assert len(pipeline.orders)
    assert not pipeline.flags.empty  # dirty sample data: something to flag
    assert schemas.FLAGS.failures(pipeline.flags) == []


def test_every_broken_promise_is_reported_with_its_rows() -> None:
    orders = pd.DataFrame(
        {
            "po_key": ["P1", "P1", "P3"],
            "supplier_id": ["S1", None, "S3"],
            "location": ["DC", "DC", "DC"],
            "order_date": [AS_OF] * 3,
            "expected_delivery": [AS_OF] * 3,
            "currency": ["EUR"] * 3,
            "line_count": [1, 0, 2],
            "value": [10.0, -1.0, np.nan],
        }
    )
    with pytest.raises(FrameContractError) as error:
        schemas.ORDERS.check(orders)
    assert [str(f) for f in error.value.failures] == [
        "supplier_id: no missing values (rows 1)",
        "line_count: >= 1 (rows 1)",
        "value: no missing values (rows 2)",
        "value: >= 0 (rows 1)",
        "po_key: unique (rows 0, 1)",
    ]


def test_a_missing_column_or_a_wrong_dtype_is_named() -> None:
    demand = pd.DataFrame({"sku": ["A"], "location": ["L"], "date": ["2026-11-01"],
                           "quantity": [1.0]})  # fmt: skip
    failures = [str(f) for f in schemas.VALIDATED["demand"].failures(demand)]
    assert failures == ["channel: missing", "date: dtype object is not date"]
