"""Shared fixtures: the two real databases, and a Prefect test server per session."""

from __future__ import annotations

import gc
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from scheduling import TrytonTogetherLongestFirst, drives_tryton
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from tryton_seed import create_approver, create_company, create_product_user
from tryton_server import ROOT, TrytonServer, running_tryton, template_database, tryton_venv
from xdist.remote import Producer
from xdist.scheduler import Scheduling

from storage.database import make_engine, migrate

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


# A test that needs one of these servers carries its marker, also when it reaches the
# fixture through another one, so `make test-fast` (-m "not prefect and ...") can never
# start one by accident.
SERVER_MARKS = {"prefect_server": "prefect", "tryton": "tryton", "postgres_url": "postgres"}


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        needed = getattr(item, "fixturenames", ())
        for fixture, mark in SERVER_MARKS.items():
            if fixture in needed:
                item.add_marker(mark)
        if "tryton" in needed and not drives_tryton(item.path.name):
            raise pytest.UsageError(
                f"{item.nodeid} uses the Tryton server: put 'tryton' in its file's name, so "
                "that `make test` runs it on the worker that has Tryton (tests/scheduling.py)"
            )


def pytest_xdist_make_scheduler(config: pytest.Config, log: Producer) -> Scheduling | None:
    """`--dist loadfile` (make test) with the Tryton files together and the longest
    files first; any other mode is xdist's own."""
    if config.getvalue("dist") != "loadfile":
        return None
    return TrytonTogetherLongestFirst(config, log)


# The suite is bound by CPU (two cores, three workers), and the cyclic garbage collector
# spent 5-7% of the in-process tests' CPU re-scanning what collection imported (pandas,
# statsforecast, Prefect, SQLAlchemy: hundreds of thousands of long-lived objects) and
# running its youngest generation every 700 allocations. After collection those objects
# are frozen out of its scans and it runs less often. Only the test processes: the
# product's own processes (a `replenish` command, a flow run) keep Python's defaults.
GC_THRESHOLDS = (50_000, 20, 50)


def pytest_collection_finish(session: pytest.Session) -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def postgres_admin_url() -> str | None:
    """The server to test against; None (skip) only when CI did not ask for it and none runs."""
    url = os.environ.get("REPLENISH_TEST_POSTGRES_URL")
    if url:
        return url
    engine = create_engine(DEFAULT_POSTGRES)
    try:
        with engine.connect():
            return DEFAULT_POSTGRES
    except Exception:
        return None
    finally:
        engine.dispose()


@contextmanager
def empty_postgres_database(prefix: str) -> Iterator[str]:
    """A new, empty database on the test server (skips without one), dropped afterwards."""
    admin = postgres_admin_url()
    if admin is None:
        pytest.skip("no PostgreSQL: set REPLENISH_TEST_POSTGRES_URL (CI does)")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin_engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin_engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin_engine.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated database on the PostgreSQL server, dropped after the session."""
    with empty_postgres_database("replenish_test") as url:
        engine = make_engine(url)
        migrate(engine)
        engine.dispose()
        yield url


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("sqlite") / "replenish.db"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    return url


#: Parametrise a test's database fixture with these: SQLite, and PostgreSQL when it runs.
DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def shared_database_url(request: pytest.FixtureRequest, kind: str) -> str:
    """The session's migrated database of `kind` ("sqlite" or "postgresql"), shared with
    the worker's other tests: `sqlite_url` or `postgres_url`."""
    return str(request.getfixturevalue("sqlite_url" if kind == "sqlite" else "postgres_url"))


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest) -> str:
    """Run the test once on SQLite (the embedded default) and once on PostgreSQL."""
    return shared_database_url(request, request.param)


@contextmanager
def fresh_database_url(kind: str, folder: Path) -> Iterator[str]:
    """The URL of an empty database of the test's own (`kind`: "sqlite" or "postgresql"),
    dropped afterwards (PostgreSQL); a nightly run migrates it when it starts."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'night.db'}"
        return
    with empty_postgres_database("replenish_own") as url:
        yield url


@pytest.fixture(params=DATABASES)
def own_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database of the test's own, on SQLite and on PostgreSQL, for a test that
    counts what a whole night did: a night retries, mails and closes every order and run
    a database holds, whichever test left them, so a shared one makes such counts depend
    on which tests ran before on the same worker."""
    with fresh_database_url(request.param, tmp_path) as url:
        engine = make_engine(url)
        migrate(engine)
        engine.dispose()
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[str]:
    """One Prefect test server for the whole session (it takes 10-20 s to start); its API URL.

    Flows run in the test process use it through Prefect's settings; a `replenish` command
    in a subprocess is given the URL as PREFECT_API_URL, so it does not start a temporary
    server of its own for every run (a dozen of those cost minutes).
    """
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield str(PREFECT_API_URL.value())


@pytest.fixture(scope="session")
def tryton(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrytonServer]:
    """A real Tryton server on loopback for the session, with a company and an approver.

    `make test` names Tryton's venv in REPLENISH_TEST_TRYTON_VENV, so there a missing or
    broken Tryton fails the tests; only a bare `pytest` outside make skips them.
    """
    venv = tryton_venv()
    if venv is None:
        pytest.skip("no Tryton: `make test` builds it and sets REPLENISH_TEST_TRYTON_VENV")
    template = template_database(venv, ROOT / ".tryton")
    with running_tryton(venv, template, tmp_path_factory.mktemp("tryton")) as server:
        admin = server.admin()
        company = create_company(admin)
        create_approver(admin, company)
        create_product_user(admin, company)
        yield server


@pytest.fixture
def no_replenish_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings tests read only what they set: the shell's REPLENISH_* variables removed."""
    for name in list(os.environ):
        if name.startswith("REPLENISH_"):
            monkeypatch.delenv(name)
