"""One run date for every command: the scheduled start, read in the schedule's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from replenish.run_date import run_date


def test_a_summer_night_in_berlin_is_dated_on_that_berlin_day() -> None:
    # 01:30 Europe/Berlin in July (CEST, UTC+2) is 23:30 UTC of the day before.
    scheduled = datetime(2026, 7, 14, 23, 30, tzinfo=UTC)
    assert run_date("Europe/Berlin", scheduled) == date(2026, 7, 15)
    assert scheduled.date() == date(2026, 7, 14)  # what the UTC date used to give


def test_a_winter_night_in_berlin_is_dated_on_that_berlin_day() -> None:
    scheduled = datetime(2026, 1, 14, 0, 30, tzinfo=UTC)  # 01:30 CET
    assert run_date("Europe/Berlin", scheduled) == date(2026, 1, 14)


@pytest.mark.parametrize(
    ("zone", "expected"),
    [("Europe/Berlin", date(2026, 7, 15)), ("America/New_York", date(2026, 7, 14))],
)
def test_the_zone_is_a_setting(zone: str, expected: date) -> None:
    scheduled = datetime(2026, 7, 15, 1, 30, tzinfo=timezone(timedelta(hours=2)))
    assert run_date(zone, scheduled) == expected


def test_a_naive_time_is_read_as_utc() -> None:
    assert run_date("Europe/Berlin", datetime(2026, 7, 14, 23, 30)) == date(2026, 7, 15)
