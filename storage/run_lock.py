"""One nightly run at a time: a database lock the second run stands aside on.

Two runs at once would propose and submit the same keys side by side; the database, not
the scheduler, is what every run shares, so the lock lives there. PostgreSQL: a session
advisory lock on a connection held for the run (the server drops it when the process
dies; TCP keepalives on that connection make it notice a vanished machine within about a
minute, not the system's two hours). SQLite: a row in `run_locks` naming host and process,
with a lease the holder renews (storage.leases); a later run takes it over when that
process is gone (same host) or its lease ran out (another host).
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, delete, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from storage.leases import LEASE, RENEW_EVERY, expired, lease_end, renewing
from storage.models import RunLock

# pg_advisory_lock takes a bigint: a fixed number for "the nightly run" of this database
NIGHTLY_LOCK_ID = 0x5250_4C4E  # "RPLN"
# A lock row from before leases (no expires_at) on another host: alive for a day.
STALE_AFTER = timedelta(hours=24)
# The server probes an idle lock connection after 30 s, then every 10 s, 3 times: a holder
# whose machine vanished loses the lock about a minute later.
_KEEPALIVES = {"tcp_keepalives_idle": 30, "tcp_keepalives_interval": 10, "tcp_keepalives_count": 3}


class RunLocked(RuntimeError):
    """Another run holds the lock; the message says who, for the operator."""


@dataclass(frozen=True)
class Holder:
    holder: str
    host: str
    pid: int
    acquired_at: datetime | None = None
    expires_at: datetime | None = None

    def describe(self) -> str:
        since = f" since {self.acquired_at:%Y-%m-%d %H:%M:%S} UTC" if self.acquired_at else ""
        return f"process {self.pid} on {self.host}{since}"


@contextmanager
def nightly_lock(
    engine: Engine,
    name: str = "nightly",
    *,
    lease: timedelta = LEASE,
    renew_every: timedelta = RENEW_EVERY,
) -> Iterator[None]:
    """Hold the nightly lock for the block, or raise `RunLocked` at once (never wait).

    While the block runs, the lock's lease is renewed every `renew_every` (SQLite; on
    PostgreSQL the held session is the lease)."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            _pg_acquire(connection)
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": NIGHTLY_LOCK_ID})
                connection.commit()
        return
    me = Holder(uuid.uuid4().hex, socket.gethostname(), os.getpid())
    _row_acquire(engine, name, me, lease)
    try:
        with renewing(lambda: _renew(engine, name, me, lease), every=renew_every, name="run lock"):
            yield
    finally:
        with engine.begin() as connection:
            connection.execute(
                delete(RunLock).where(RunLock.name == name, RunLock.holder == me.holder)
            )


def _renew(engine: Engine, name: str, me: Holder, lease: timedelta) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(RunLock)
            .where(RunLock.name == name, RunLock.holder == me.holder)
            .values(expires_at=lease_end(lease=lease))
        )


def _pg_acquire(connection: Connection) -> None:
    for setting, value in _KEEPALIVES.items():  # session settings: no effect on a socket file
        connection.execute(text(f"SET {setting} = {int(value)}"))
    got = connection.execute(
        text("SELECT pg_try_advisory_lock(:id)"), {"id": NIGHTLY_LOCK_ID}
    ).scalar()
    connection.commit()  # the lock is the session's; no transaction stays open for the run
    if not got:
        holder = connection.execute(
            text(
                "SELECT a.pid, a.client_addr, a.backend_start FROM pg_locks l "
                "JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.objid = :id AND l.granted"
            ),
            {"id": NIGHTLY_LOCK_ID},
        ).first()
        connection.commit()
        who = f"server process {holder[0]} (client {holder[1] or 'local'})" if holder else "?"
        raise RunLocked(f"another nightly run is in progress ({who}); this run stands aside")


def _row_acquire(engine: Engine, name: str, me: Holder, lease: timedelta) -> None:
    now = datetime.now(UTC)
    until = lease_end(now, lease)
    row = {
        "name": name, "holder": me.holder, "host": me.host, "pid": me.pid,
        "acquired_at": now, "expires_at": until,
    }  # fmt: skip
    for _ in range(2):
        try:
            with engine.begin() as connection:
                connection.execute(insert(RunLock).values(**row))
            return
        except IntegrityError:
            pass
        with engine.begin() as connection:
            current = connection.execute(select(RunLock).where(RunLock.name == name)).first()
            if current is None:
                continue  # released in between: try again
            other = Holder(
                current.holder, current.host, current.pid, current.acquired_at, current.expires_at
            )
            if _alive(other):
                raise RunLocked(
                    f"another nightly run is in progress ({other.describe()}); "
                    "this run stands aside"
                )
            # the holder died without releasing (killed): take over, only if still its row
            taken = connection.execute(
                update(RunLock)
                .where(RunLock.name == name, RunLock.holder == other.holder)
                .values(
                    holder=me.holder, host=me.host, pid=me.pid, acquired_at=now, expires_at=until
                )
            )
            if taken.rowcount == 1:
                return
    raise RunLocked("another nightly run took the lock at the same moment; this run stands aside")


def _alive(holder: Holder) -> bool:
    """Is the holding process still running? On this host the process table says so; on
    another host its lease does (a row from before leases: a day from its start)."""
    if holder.host != socket.gethostname():
        if holder.expires_at is not None:
            return not expired(holder.expires_at)
        acquired = holder.acquired_at
        if acquired is not None and acquired.tzinfo is None:
            acquired = acquired.replace(tzinfo=UTC)  # SQLite returns naive datetimes
        return acquired is None or datetime.now(UTC) - acquired < STALE_AFTER
    try:
        os.kill(holder.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
