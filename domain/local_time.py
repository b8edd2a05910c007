"""A moment as a person reads it: in the company's time zone, with UTC beside it.

Stored times are UTC (SQLite hands them back without a zone, hence the assumption).
The zone is the review setting `review.timezone`, by default the nightly schedule's
(`schedule_timezone`): a buyer in Berlin reads "Tue 08 Dec 2026, 05:28 CET", and the
small print keeps "04:28 UTC" for anyone comparing with a log.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


def as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def local_time(moment: datetime, zone: str, *, year: bool = True) -> str:
    """'Tue 08 Dec 2026, 05:28 CET' in `zone`."""
    local = as_utc(moment).astimezone(ZoneInfo(zone))
    return local.strftime("%a %d %b %Y, %H:%M %Z" if year else "%a %d %b, %H:%M %Z")


def utc_time(moment: datetime) -> str:
    """'04:28 UTC' (with the date when it differs from the local one: '07 Dec 23:30 UTC')."""
    return f"{as_utc(moment):%d %b %H:%M} UTC"
