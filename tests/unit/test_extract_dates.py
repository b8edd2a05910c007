"""The data says what it is: the gate reads the frequency and the age of the demand dates.

A monthly extract read as daily made every series "intermittent" and the run succeeded;
an extract whose latest sale was twenty years old made every item dormant and ordered
nothing without a word. Both now stop at the gate with their own reason.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from dataquality import ValidationRules, gate_breaches, validate
from dataquality.freshness import infer_frequency, periods_between
from integrations.sources.csv_folder import read_csv_folder

AS_OF = date(2026, 11, 30)
OTHERS = {
    "items.csv": (
        "sku,location,supplier_id,unit_cost,pack_size,moq,lead_time_days\nA1,L1,S1,2.5,1,0,3\n"
    ),
    "suppliers.csv": "supplier_id,name\nS1,Acme\n",
    "stock.csv": f"sku,location,on_hand,as_of\nA1,L1,4,{AS_OF.isoformat()}\n",
}


def dates(frequency: str, end: str = "2026-11-29", periods: int = 24) -> pd.Series:
    alias = {"D": "D", "W": "W-MON", "M": "MS"}[frequency]
    return pd.Series(pd.date_range(end=end, periods=periods, freq=alias))


@pytest.mark.parametrize("frequency", ["D", "W", "M"])
def test_monthly_weekly_and_daily_dates_are_recognised(frequency: str) -> None:
    assert infer_frequency(dates(frequency)) == frequency


def test_sparse_daily_sales_still_read_as_daily() -> None:
    # A slow mover sells on scattered days: not all on the first, not one weekday.
    sparse = pd.Series(pd.to_datetime(["2026-01-03", "2026-01-17", "2026-02-01", "2026-03-11"]))
    assert infer_frequency(sparse) == "D"
    assert infer_frequency(sparse.head(2)) is None  # too few dates to tell


def gate(tmp_path: Path, demand_dates: pd.Series, rules: ValidationRules) -> list[str]:
    rows = "".join(f"A1,L1,{d.date().isoformat()},5\n" for d in demand_dates)
    for name, text in {**OTHERS, "demand.csv": "sku,location,date,quantity\n" + rows}.items():
        (tmp_path / name).write_text(text)
    raw = read_csv_folder(tmp_path)
    return gate_breaches(validate(raw.frames, as_of=AS_OF, rules=rules), rules)


def test_monthly_extract_with_a_daily_setting_stops_at_the_gate(tmp_path: Path) -> None:
    (message,) = gate(tmp_path, dates("M", end="2026-11-01"), ValidationRules(frequency="D"))
    assert message.startswith("demand: the dates are monthly (e.g. 2024-12-01, 2025-01-01)")
    assert 'forecast.frequency = "M"' in message
    assert "FREQUENCY_MISMATCH" in message


@pytest.mark.parametrize("setting", ["D", "W", "M"])
def test_finer_data_than_the_setting_is_aggregated_without_a_word(
    tmp_path: Path, setting: str
) -> None:
    assert gate(tmp_path, dates("D"), ValidationRules(frequency=setting)) == []  # type: ignore[arg-type]


def test_a_stale_extract_stops_with_its_reason_and_latest_date(tmp_path: Path) -> None:
    old = dates("M", end="2020-11-01")  # within validation.max_history_years
    (message,) = gate(tmp_path, old, ValidationRules(frequency="M"))
    assert message.startswith("demand: the latest demand is dated 2020-11-01, 72 monthly periods")
    assert "run date 2026-11-30" in message
    assert "STALE_EXTRACT" in message


def test_freshness_limit_is_a_setting(tmp_path: Path) -> None:
    recent = dates("D", end="2026-11-10")  # 20 days before the run
    assert len(gate(tmp_path, recent, ValidationRules(frequency="D"))) == 1
    assert gate(tmp_path, recent, ValidationRules(frequency="D", max_demand_age_periods=30)) == []


def test_periods_between_counts_whole_periods() -> None:
    assert periods_between(date(2026, 10, 1), AS_OF, "M") == 1
    assert periods_between(date(2026, 11, 16), AS_OF, "W") == 2
    assert periods_between(date(2026, 11, 29), AS_OF, "D") == 1
