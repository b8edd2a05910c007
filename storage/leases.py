"""Leases: a holder (a running run, the SQLite run lock) says in the database that it is
alive until a time, and renews that from a background thread while it works.

A process killed with SIGKILL, out of memory or on a machine that vanished runs no
`finally`; the only sign it leaves is that its lease stops moving. Whoever looks after the
lease ran out (the next run, the monitoring flow, the crash automation) can then say
"crashed" with certainty, instead of a row that says `running` for ever.

The numbers bound how fast a death is found (docs/operations.md, "A run crashed"):
renewed every 30 s, a lease outlives its last renewal by 2 minutes, so a short stall (a
busy database, a long garbage collection) never reads as a death.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

LEASE = timedelta(minutes=2)
RENEW_EVERY = timedelta(seconds=30)

logger = logging.getLogger(__name__)


def lease_end(now: datetime | None = None, lease: timedelta = LEASE) -> datetime:
    """When a lease taken or renewed now runs out."""
    return (now or datetime.now(UTC)) + lease


def expired(until: datetime | None, now: datetime | None = None) -> bool:
    """Has the lease run out? None (a row from before leases) never expires here."""
    if until is None:
        return False
    if until.tzinfo is None:
        until = until.replace(tzinfo=UTC)  # SQLite hands back naive datetimes
    return until <= (now or datetime.now(UTC))


@contextmanager
def renewing(
    renew: Callable[[], object], *, every: timedelta = RENEW_EVERY, name: str = "lease"
) -> Iterator[None]:
    """Call `renew` every `every` from a daemon thread while the block runs.

    A renewal that fails (the database briefly away) is logged and tried again at the next
    tick: the lease only runs out if the database stays away longer than the lease, and
    then nobody can tell the holder from a dead one anyway. A daemon thread, so a process
    that is ending is never held up by it.
    """
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every.total_seconds()):
            try:
                renew()
            except Exception:
                logger.warning("Could not renew the %s; trying again", name, exc_info=True)

    thread = threading.Thread(target=loop, name=f"renew-{name}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)
