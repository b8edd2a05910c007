"""One nightly run at a time: the second stands aside with a message naming the first."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, insert, select, text, update

from cli.exit_codes import ExitCode
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
                insert(RunLock).values(
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
            assert connection.execute(select(RunLock)).first() is None
    finally:
        engine.dispose()


@pytest.mark.prefect
@pytest.mark.usefixtures("prefect_server")
def test_a_run_started_while_another_holds_the_lock_stands_aside(
    sqlite_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from cli import main as cli

    monkeypatch.setenv("REPLENISH_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("REPLENISH_ERP__DROP_DIR", str(tmp_path / "erp-drop"))
    (tmp_path / "data").mkdir()
    engine = make_engine(sqlite_url)
    try:
        with nightly_lock(engine):
            code = cli.main(["run", "--source", str(tmp_path / "data"), "--as-of", "2026-11-30"])
    finally:
        engine.dispose()
    printed = capsys.readouterr().out
    assert code == ExitCode.STOOD_ASIDE
    assert "stood aside: another nightly run is in progress (process" in printed
    assert not (tmp_path / "erp-drop").exists()
    reader = make_engine(sqlite_url)
    with reader.connect() as connection:  # every run is in `runs`
        recorded = connection.execute(
            text("SELECT status, message, finished_at FROM runs WHERE as_of = '2026-11-30' "
                 "AND status = 'stood_aside'")
        ).all()  # fmt: skip
    reader.dispose()
    assert len(recorded) == 1
    assert "another nightly run is in progress" in recorded[0].message
    assert recorded[0].finished_at is not None


def test_a_lock_held_on_another_host_is_taken_over_once_its_lease_ran_out(
    sqlite_url: str,
) -> None:
    """A holder on another machine cannot be asked whether it lives: its lease says so."""
    engine = make_engine(sqlite_url)
    now = datetime.now(UTC)
    elsewhere = {"name": "nightly", "host": "another-host.invalid", "pid": 1, "acquired_at": now}
    try:
        with engine.begin() as connection:
            connection.execute(
                insert(RunLock).values(
                    holder="alive-elsewhere", expires_at=now + timedelta(minutes=1), **elsewhere
                )
            )
        refused = pytest.raises(RunLocked, match=r"process 1 on another-host\.invalid")
        with refused, nightly_lock(engine):
            pytest.fail("took a lock whose holder renews its lease")
        with engine.begin() as connection:
            connection.execute(update(RunLock).values(expires_at=now - timedelta(seconds=1)))
        with nightly_lock(engine):  # its lease ran out: the holder died
            pass
    finally:
        with engine.begin() as connection:
            connection.execute(delete(RunLock))
        engine.dispose()


def test_the_holder_renews_the_lease_while_it_holds_the_lock(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    try:
        with nightly_lock(engine, renew_every=timedelta(milliseconds=50)):
            first = _expires(engine)
            deadline = time.monotonic() + 30
            while _expires(engine) == first and time.monotonic() < deadline:
                time.sleep(0.05)
            assert _expires(engine) != first
    finally:
        engine.dispose()


def _expires(engine: Engine) -> object:
    with engine.connect() as connection:
        return connection.execute(text("SELECT expires_at FROM run_locks")).scalar_one()
