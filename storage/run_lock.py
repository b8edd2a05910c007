"""One nightly run at a time: a database lock the second run stands aside on.

Two runs at once would propose and submit the same keys side by side; the database, not
the scheduler, is what every run shares, so the lock lives there. PostgreSQL: a session
advisory lock on a connection held for the run (the server drops it when the process
dies, so a killed run never blocks the next night). SQLite: a row in `run_locks` naming
host and process; a later run takes it over only when that process is gone.
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

from storage.models import RunLock

# pg_advisory_lock takes a bigint: a fixed number for "the nightly run" of this database
NIGHTLY_LOCK_ID = 0x5250_4C4E  # "RPLN"
STALE_AFTER = timedelta(hours=24)


class RunLocked(RuntimeError):
    """Another run holds the lock; the message says who, for the operator."""


@dataclass(frozen=True)
class Holder:
    holder: str
    host: str
    pid: int
    acquired_at: datetime | None = None

    def describe(self) -> str:
        since = f" since {self.acquired_at:%Y-%m-%d %H:%M:%S} UTC" if self.acquired_at else ""
        return f"process {self.pid} on {self.host}{since}"


@contextmanager
def nightly_lock(engine: Engine, name: str = "nightly") -> Iterator[None]:
    """Hold the nightly lock for the block, or raise `RunLocked` at once (never wait)."""
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
    _row_acquire(engine, name, me)
    try:
        yield
    finally:
        with engine.begin() as connection:
            connection.execute(
                delete(RunLock).where(RunLock.name == name, RunLock.holder == me.holder)
            )


def _pg_acquire(connection: Connection) -> None:
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


def _row_acquire(engine: Engine, name: str, me: Holder) -> None:
    now = datetime.now(UTC)
    row = {"name": name, "holder": me.holder, "host": me.host, "pid": me.pid, "acquired_at": now}
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
            other = Holder(current.holder, current.host, current.pid, current.acquired_at)
            if _alive(other):
                raise RunLocked(
                    f"another nightly run is in progress ({other.describe()}); "
                    "this run stands aside"
                )
            # the holder died without releasing (killed): take over, only if still its row
            taken = connection.execute(
                update(RunLock)
                .where(RunLock.name == name, RunLock.holder == other.holder)
                .values(holder=me.holder, host=me.host, pid=me.pid, acquired_at=now)
            )
            if taken.rowcount == 1:
                return
    raise RunLocked("another nightly run took the lock at the same moment; this run stands aside")


def _alive(holder: Holder) -> bool:
    """Is the holding process still running? Another host's is assumed alive for a day."""
    if holder.host != socket.gethostname():
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
