"""The frames between the stages keep the promises docs/frames.md makes: checked on the
real pure pipeline (validate, forecast, plan, group, flag) over sample data; each stage
refuses a frame that breaks its schema where it builds it, naming the frame and the
column; and the checker itself reports every broken promise with its rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

from contracts import frame_schemas as schemas
from contracts.frames import Column, FrameContractError, FrameSchema

if TYPE_CHECKING:
    from dataquality import ValidationResult
    from forecasting import ForecastResult
    from settings import Settings

AS_OF = date(2026, 11, 25)


@dataclass(frozen=True)
class Pipeline:
    checked: ValidationResult
    forecast: ForecastResult
    lines: pd.DataFrame
    orders: pd.DataFrame
    flags: pd.DataFrame
    settings: Settings


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
    return Pipeline(checked, forecast, lines, orders, flags, settings)


@pytest.mark.parametrize("kind", sorted(schemas.VALIDATED))
def test_validated_inputs_keep_their_schema(pipeline: Pipeline, kind: str) -> None:
    table = pipeline.checked.tables[kind]
    assert schemas.VALIDATED[kind].failures(table) == []


def test_counts_forecast_plan_orders_and_flags_keep_their_schemas(pipeline: Pipeline) -> None:
    assert schemas.COUNTS.failures(pipeline.checked.counts) == []
    assert schemas.FORECAST_SUMMARY.failures(pipeline.forecast.summary) == []
    assert schemas.FORECAST_PATH.failures(pipeline.forecast.path) == []
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


# --- each frame refused where it is built -----------------------------------------------

# (frame, its schema, a column it promises): each stage checks its frames where it builds them
BUILT = [
    *((f"validated {kind}", schema, schema.columns[-1].name) for kind, schema in
      sorted(schemas.VALIDATED.items())),
    ("counts", schemas.COUNTS, "quarantined"),
    ("forecast summary", schemas.FORECAST_SUMMARY, "demand_quantile"),
    ("forecast path", schemas.FORECAST_PATH, "mean"),
    ("plan lines", schemas.PLAN_LINES, "order_qty"),
    ("orders", schemas.ORDERS, "value"),
    ("flags", schemas.FLAGS, "money_at_stake"),
]  # fmt: skip


def _frame_of(pipeline: Pipeline, label: str) -> pd.DataFrame:
    checked, forecast = pipeline.checked, pipeline.forecast
    if label.startswith("validated "):
        return checked.tables[label.removeprefix("validated ")]
    built = {"counts": checked.counts, "forecast summary": forecast.summary,
             "forecast path": forecast.path, "plan lines": pipeline.lines,
             "orders": pipeline.orders, "flags": pipeline.flags}  # fmt: skip
    return built[label]


@pytest.mark.parametrize(("label", "schema", "column"), BUILT, ids=[b[0] for b in BUILT])
def test_a_missing_column_is_refused_naming_frame_and_column(
    pipeline: Pipeline, label: str, schema: FrameSchema, column: str
) -> None:
    frame = _frame_of(pipeline, label).drop(columns=[column])
    with pytest.raises(FrameContractError, match=rf"^{schema.name} frame: {column}: missing$"):
        schema.check(frame)


@pytest.mark.parametrize(("label", "schema", "column"), BUILT, ids=[b[0] for b in BUILT])
def test_a_wrong_dtype_is_refused_naming_frame_and_column(
    pipeline: Pipeline, label: str, schema: FrameSchema, column: str
) -> None:
    frame = _frame_of(pipeline, label)
    kind = next(c.kind for c in schema.columns if c.name == column)
    wrong = [object(), "x"] if kind != "text" else [1.5, 2.5]  # text where a number belongs
    frame = frame.assign(**{column: (wrong * len(frame))[: len(frame)]})
    with pytest.raises(
        FrameContractError, match=rf"^{schema.name} frame: {column}: dtype \w+ is not {kind}"
    ):
        schema.check(frame)


def _stricter(schema: FrameSchema) -> FrameSchema:
    """`schema` promising one more column, which no stage builds."""
    return replace(schema, columns=(*schema.columns, Column("never_built", "float")))


def _refused(build: Callable[[], object], schema: FrameSchema) -> None:
    with pytest.raises(FrameContractError, match=rf"^{schema.name} frame: never_built: missing"):
        build()


def test_validate_checks_the_tables_and_counts_it_builds(
    pipeline: Pipeline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cli.sample_data import write_sample_data
    from dataquality import validate
    from integrations.sources.csv_folder import read_csv_folder

    write_sample_data(tmp_path, items=3, seed=5, as_of=AS_OF)
    frames = read_csv_folder(tmp_path).frames
    rules = pipeline.settings.validation
    for kind in sorted(schemas.VALIDATED):
        with monkeypatch.context() as patch:
            patch.setitem(schemas.VALIDATED, kind, _stricter(schemas.VALIDATED[kind]))
            _refused(lambda: validate(frames, as_of=AS_OF, rules=rules), schemas.VALIDATED[kind])
    monkeypatch.setattr(schemas, "COUNTS", _stricter(schemas.COUNTS))
    _refused(lambda: validate(frames, as_of=AS_OF, rules=rules), schemas.COUNTS)


@pytest.mark.parametrize("name", ["FORECAST_SUMMARY", "FORECAST_PATH"])
def test_the_forecast_checks_the_frames_it_builds(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    from forecasting import forecast_demand

    t = pipeline.checked.tables
    items = t["items"].head(3)
    demand = t["demand"].merge(items[["sku", "location"]], on=["sku", "location"])
    monkeypatch.setattr(schemas, name, _stricter(getattr(schemas, name)))
    params = pipeline.settings.forecast
    _refused(lambda: forecast_demand(demand, items, as_of=AS_OF, params=params),
             getattr(schemas, name))  # fmt: skip


def test_planning_grouping_and_flagging_check_the_frames_they_build(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flags import flag_orders
    from purchasing import group_orders, plan_lines

    t, settings = pipeline.checked.tables, pipeline.settings
    summary = pipeline.forecast.summary
    quarantined = pipeline.checked.quarantined_items
    builds: dict[str, Callable[[], object]] = {
        "PLAN_LINES": lambda: plan_lines(summary, t["items"], t["stock"], t["open_orders"],
                                         as_of=AS_OF, params=settings.policy),
        "ORDERS": lambda: group_orders(pipeline.lines, t["suppliers"], as_of=AS_OF),
        "FLAGS": lambda: flag_orders(pipeline.lines, pipeline.orders, summary, quarantined,
                                     settings.flags, currencies=settings.currency),
    }  # fmt: skip
    for name, build in builds.items():
        with monkeypatch.context() as patch:
            patch.setattr(schemas, name, _stricter(getattr(schemas, name)))
            _refused(build, getattr(schemas, name))


def test_no_flags_at_all_is_still_a_flags_frame(pipeline: Pipeline) -> None:
    from flags import FlagRules, flag_orders

    none = pipeline.orders.iloc[:0]
    flags = flag_orders(pipeline.lines.assign(po_key=None), none,
                        pipeline.forecast.summary, pipeline.checked.quarantined_items,
                        FlagRules())  # fmt: skip
    assert flags.empty
    assert schemas.FLAGS.failures(flags) == []
