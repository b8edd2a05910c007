"""The migrations build exactly the schema the models describe, on both databases.

A column added to a model without a migration (or a migration that drifts from the
model) passes every test that creates tables from the migrations, and fails in
production on the first query that touches it. Alembic's own comparison catches both.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from conftest import DATABASES, fresh_database_url  # tests/ is on sys.path
from sqlalchemy import Engine, Numeric, inspect
from sqlalchemy.types import TypeEngine

from storage.database import MIGRATIONS, make_engine, migrate
from storage.models import Base


@pytest.fixture(params=DATABASES)
def fresh_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of its own (the shared session databases are already migrated)."""
    with fresh_database_url(request.param, tmp_path) as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


def _differences(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": _compare_type})
        return compare_metadata(context, Base.metadata)


def _compare_type(
    context: MigrationContext,
    inspected_column: Any,
    metadata_column: Any,
    inspected_type: TypeEngine[Any],
    metadata_type: TypeEngine[Any],
) -> bool | None:
    """Alembic's own type comparison, but one deliberate exception: migration 0006 widened
    the money and quantity NUMERICs on PostgreSQL only, because SQLite neither enforces
    nor uses a declared precision (the model's type converts values on the way out). The
    scale must still match; anything else is compared as usual."""
    if (
        context.dialect.name == "sqlite"
        and isinstance(inspected_type, Numeric)
        and isinstance(metadata_type, Numeric)
        and inspected_type.scale == metadata_type.scale
    ):
        return False
    return None  # the default comparison


def _alembic(engine: Engine, action: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)


def test_upgrade_head_gives_the_models_schema(fresh_engine: Engine) -> None:
    migrate(fresh_engine)
    assert _differences(fresh_engine) == []
    assert set(inspect(fresh_engine).get_table_names()) >= set(Base.metadata.tables)


def test_downgrade_to_nothing_and_up_again_gives_the_same_schema(fresh_engine: Engine) -> None:
    migrate(fresh_engine)
    _alembic(fresh_engine, "downgrade", "base")
    assert set(inspect(fresh_engine).get_table_names()) <= {"alembic_version"}
    migrate(fresh_engine)
    assert _differences(fresh_engine) == []
