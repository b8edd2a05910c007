"""What the demand dates say about the extract: its frequency, and how old it is.

A monthly extract read as daily turns every series intermittent and the run still
"succeeds"; an extract whose latest sale is years old makes every item dormant and
orders nothing, without a word. Both are visible in the dates alone, so the gate
checks them before anything is forecast (README "Data quality").
"""

from __future__ import annotations

from datetime import date
from typing import Final, Literal

import pandas as pd

Frequency = Literal["D", "W", "M"]
NAMES: Final[dict[str, str]] = {"D": "daily", "W": "weekly", "M": "monthly"}
_ORDER: Final[dict[str, int]] = {"D": 0, "W": 1, "M": 2}
# Fewer distinct dates than this tell nothing about a frequency.
_MIN_DATES: Final = 3


def infer_frequency(dates: pd.Series) -> Frequency | None:
    """ "M" when every date is the first of a month, "W" when all fall on one weekday,
    "D" otherwise; None with fewer than three distinct dates (nothing to tell)."""
    distinct = pd.DatetimeIndex(pd.to_datetime(dates.dropna()).unique())
    if len(distinct) < _MIN_DATES:
        return None
    if (distinct.day == 1).all():
        return "M"
    if distinct.dayofweek.nunique() == 1:
        return "W"
    return "D"


def frequency_breach(dates: pd.Series, setting: Frequency | None) -> str | None:
    """A stop message when the data is coarser than the forecast's frequency.

    Monthly data forecast daily would read as one sale a month (every item
    "intermittent"); daily data forecast weekly or monthly is aggregated on purpose.
    """
    found = infer_frequency(dates)
    if setting is None or found is None or _ORDER[found] <= _ORDER[setting]:
        return None
    return (
        f"demand: the dates are {NAMES[found]} (e.g. {_examples(dates)}) but "
        f'forecast.frequency is "{setting}" ({NAMES[setting]}); set forecast.frequency = '
        f'"{found}" or send {NAMES[setting]} demand (FREQUENCY_MISMATCH)'
    )


def periods_between(latest: date, as_of: date, frequency: Frequency) -> int:
    """Whole periods of `frequency` from the period of `latest` to that of `as_of`."""
    if frequency == "M":
        return (as_of.year - latest.year) * 12 + as_of.month - latest.month
    days = (as_of - latest).days
    return days // 7 if frequency == "W" else days


def stale_breach(
    dates: pd.Series, as_of: date | None, frequency: Frequency | None, max_periods: int
) -> str | None:
    """A stop message when the latest demand is more than `max_periods` periods old.

    Periods of the data's own frequency when the dates tell it (monthly sales dated the
    first are not 29 days stale at the month's end), else of the setting.
    """
    valid = pd.to_datetime(dates.dropna())
    if as_of is None or valid.empty:
        return None
    frequency = infer_frequency(dates) or frequency or "D"
    latest = valid.max().date()
    age = periods_between(latest, as_of, frequency)
    if age <= max_periods:
        return None
    return (
        f"demand: the latest demand is dated {latest.isoformat()}, {age:,} {NAMES[frequency]} "
        f"periods before the run date {as_of.isoformat()} (limit {max_periods}); a stale "
        "extract would make every item dormant and order nothing (STALE_EXTRACT)"
    )


def _examples(dates: pd.Series) -> str:
    shown = pd.to_datetime(dates.dropna()).drop_duplicates().sort_values().head(2)
    return ", ".join(d.date().isoformat() for d in shown)
