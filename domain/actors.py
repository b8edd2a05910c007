"""Who caused a change, and the clock every change is stamped with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class Actor:
    """Who caused a change and through which channel (nightly run, review page, CLI...)."""

    name: str
    channel: str


def utcnow() -> datetime:
    """Now, timezone-aware in UTC: every audit record and deadline is compared in UTC."""
    return datetime.now(UTC)
