"""Stock-outs are not zero demand: out-of-stock days with no sales are re-estimated,
counted, explained on the line; bad stock-history rows are quarantined like any input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from stockout_data import AS_OF, DAYS, ITEMS, PARAMS, steady_with_stockouts, write_extract

from cli.main import main
from dataquality import Reason, ValidationRules, validate
from forecasting import forecast_demand, prepare_series
from forecasting.censoring import censor_stockouts
from integrations.sources.csv_folder import read_csv_folder
from purchasing import plan_lines


def test_out_of_stock_days_are_re_estimated_not_read_as_zero() -> None:
    demand, history = steady_with_stockouts()
    prepared = prepare_series(demand, as_of=AS_OF, frequency="D")
    result = censor_stockouts(prepared, history, "D")
    assert result.periods.tolist() == [45]
    y = result.prepared.series["y"].to_numpy()
    was_zero = prepared.series["y"].to_numpy() == 0
    assert was_zero.sum() == 45  # every zero was a stock-out ...
    assert ((y[was_zero] > 8) & (y[was_zero] < 12)).all()  # ... now the level of ~10
    assert (y[~was_zero] == prepared.series["y"].to_numpy()[~was_zero]).all()


def test_a_series_with_stockouts_gets_a_higher_forecast_than_read_as_zero_demand() -> None:
    demand, history = steady_with_stockouts()
    as_zero = forecast_demand(demand, ITEMS, as_of=AS_OF, params=PARAMS)
    censored = forecast_demand(demand, ITEMS, as_of=AS_OF, params=PARAMS, stock_history=history)
    zero_row, row = as_zero.summary.iloc[0], censored.summary.iloc[0]
    assert row["demand_mean"] > zero_row["demand_mean"] * 1.1
    assert row["demand_quantile"] > zero_row["demand_quantile"]
    assert row["censored_periods"] == 45
    assert zero_row["censored_periods"] == 0


def test_without_stock_history_nothing_changes() -> None:
    demand, history = steady_with_stockouts()
    plain = forecast_demand(demand, ITEMS, as_of=AS_OF, params=PARAMS).summary
    empty = history.iloc[:0]
    with_empty = forecast_demand(
        demand, ITEMS, as_of=AS_OF, params=PARAMS, stock_history=empty
    ).summary
    pd.testing.assert_frame_equal(plain, with_empty)
    prepared = prepare_series(demand, as_of=AS_OF, frequency="D")
    assert censor_stockouts(prepared, None, "D").prepared is prepared


def test_a_stockout_with_some_sales_or_a_zero_day_in_stock_is_kept_as_sold() -> None:
    demand, history = steady_with_stockouts()
    demand.loc[:, "quantity"] = 0.0  # nothing sold at all
    history.loc[:, "on_hand"] = 5.0  # but always in stock: real zero demand
    history.loc[10, "on_hand"] = 0.0  # one out-of-stock day ...
    demand.loc[10, "quantity"] = 3.0  # ... on which some was sold before it ran out
    prepared = prepare_series(demand, as_of=AS_OF, frequency="D")
    assert censor_stockouts(prepared, history, "D").periods.tolist() == [0]


def test_weekly_periods_are_censored_when_every_record_in_them_is_out_of_stock() -> None:
    demand, history = steady_with_stockouts()
    prepared = prepare_series(demand, as_of=AS_OF, frequency="W")
    result = censor_stockouts(prepared, history, "W")
    # 15-day spells: at least one whole Monday-Sunday week each, no partly-sold week
    assert result.periods[0] >= 3
    assert (result.prepared.series["y"].to_numpy() > 0).all()


def test_the_line_explains_how_many_periods_were_corrected() -> None:
    demand, history = steady_with_stockouts()
    forecast = forecast_demand(demand, ITEMS, as_of=AS_OF, params=PARAMS, stock_history=history)
    items = ITEMS.assign(
        supplier_id="S1", unit_cost=2.0, pack_size=1, moq=0.0, lead_time_std_days=0.0,
        service_level=np.nan, max_order_qty=np.nan, active=True,
    )  # fmt: skip
    stock = pd.DataFrame({"sku": ["A"], "location": "WH1", "on_hand": 0.0})
    open_orders = pd.DataFrame(
        {"order_ref": [], "sku": [], "location": [], "quantity": [], "due_date": []}
    )
    lines = plan_lines(forecast.summary, items, stock, open_orders, as_of=AS_OF)
    assert "45 period(s) with no sales while out of stock" in lines["explanation"].iloc[0]


def test_bad_stock_history_rows_are_quarantined_with_file_row_and_field() -> None:
    frames = {
        "suppliers": pd.DataFrame({"supplier_id": ["S1"], "name": ["Acme"]}),
        "items": pd.DataFrame(
            {
                "sku": ["A"],
                "location": ["WH1"],
                "supplier_id": ["S1"],
                "unit_cost": ["2"],
                "pack_size": ["1"],
                "moq": ["0"],
                "lead_time_days": ["7"],
            }
        ),
        "stock_history": pd.DataFrame(
            {
                "sku": ["A", "A", "ZZ", "A"],
                "location": ["WH1", "WH1", "WH1", "WH1"],
                "date": ["2023-12-01", "2023-12-02", "2023-12-03", "2031-01-01"],
                "on_hand": ["4", "lots", "1", "2"],
            }
        ),
    }
    for kind, frame in frames.items():
        frame["source_file"] = f"{kind}.csv"
        frame["source_line"] = range(2, len(frame) + 2)
    result = validate(frames, as_of=AS_OF, rules=ValidationRules())
    issues = result.issues.loc[result.issues["file"] == "stock_history.csv"]
    by_line = {int(r["line"]): r for _, r in issues.iterrows()}
    assert set(by_line) == {3, 4, 5}
    assert Reason.BAD_NUMBER.value in by_line[3]["reasons"]
    assert "on_hand" in by_line[3]["detail"]
    assert Reason.UNKNOWN_SKU.value in by_line[4]["reasons"]
    assert Reason.FUTURE_DATE.value in by_line[5]["reasons"]
    assert "date" in by_line[5]["detail"]
    counts = result.counts.set_index("file").loc["stock_history.csv"]
    assert (counts["read"], counts["accepted"], counts["quarantined"]) == (4, 1, 3)
    assert result.tables["stock_history"]["on_hand"].tolist() == [4.0]


def test_a_stock_history_file_in_the_extract_reaches_the_forecast(tmp_path: Path) -> None:
    write_extract(tmp_path)
    extract = read_csv_folder(tmp_path)
    checked = validate(extract.frames, as_of=AS_OF, rules=ValidationRules())
    assert len(checked.tables["stock_history"]) == len(DAYS)
    result = forecast_demand(
        checked.tables["demand"], checked.tables["items"], as_of=AS_OF, params=PARAMS,
        stock_history=checked.tables["stock_history"],
    )  # fmt: skip
    assert result.summary["censored_periods"].tolist() == [45]


def test_the_backtest_scores_an_empty_shelf_against_its_estimate_not_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_replenish_variables: None
) -> None:
    # The last 28 days hold a 15-day stock-out: read as sales, they are a window in which
    # the item sold about half its usual, and every forecast looks 80-90% too high.
    write_extract(tmp_path)
    args = ["backtest", "--source", str(tmp_path), "--as-of", AS_OF.isoformat(), "--json",
            "--horizon", "28", "--windows", "1"]  # fmt: skip
    assert main(args) == 0
    with_history = json.loads(capsys.readouterr().out)["overall"]
    (tmp_path / "stock_history.csv").unlink()
    assert main(args) == 0
    as_zero = json.loads(capsys.readouterr().out)["overall"]
    assert as_zero["bias"] > 0.5
    assert abs(with_history["bias"]) < 0.15
