"""One nightly run at a time: the second stands aside with a message naming the first."""

from __future__ import annotations

import socket
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from storage.database import make_engine
from storage.models import RunLock
from storage.run_lock import RunLocked, nightly_lock


def test_second_holder_stands_aside_then_gets_it(engine: Engine, database_url: str) -> None:
    other = make_engine(database_url)
    try:
        with (
            nightly_lock(engine),
            pytest.raises(RunLocked, match="another nightly run is in progress"),
            nightly_lock(other),
        ):
            pytest.fail("two holders at once")
        with nightly_lock(other):  # released: the next run takes it
            pass
    finally:
        other.dispose()


def test_a_dead_holder_does_not_block_the_next_night(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(done.stdout)  # a process that has exited: its lock row is stale
    try:
        with engine.begin() as connection:
            connection.execute(
                RunLock.__table__.insert().values(
                    name="nightly",
                    holder="killed-run",
                    host=socket.gethostname(),
                    pid=dead_pid,
                    acquired_at=datetime.now(UTC),
                )
            )
        with nightly_lock(engine):
            pass
        with engine.connect() as connection:
            assert connection.execute(RunLock.__table__.select()).first() is None
    finally:
        engine.dispose()
