"""Any database SQLAlchemy can reach as a source: one table, view or query per kind.

The rows are handed on the way the CSV folder hands on a file: every cell as the text a
CSV export would hold, plus `source_file` and `source_line`. Typing stays with the
data-quality gate, so a NULL quantity or a date held in a text column is quarantined or
repaired there, with the same reasons and the same record, whatever the source. This
module only refuses a source that cannot be read at all (no connection, a failing query,
a missing column), with one line naming it and never the password.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (
    Connection,
    CursorResult,
    Engine,
    Executable,
    create_engine,
    literal_column,
    select,
    table,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import NullPool
from sqlalchemy.sql.elements import quoted_name

from dataquality.contract import CONTRACTS, KINDS, SOURCE_COLUMNS, TableContract
from integrations.sources.errors import SourceError
from integrations.sources.extract import FileInfo, RawExtract
from integrations.sources.headers import first_duplicate, normalise_names
from integrations.sources.sql_config import (
    CONNECT_TIMEOUT_SECONDS,
    SqlSourceConfig,
    is_query,
    table_name,
)
from integrations.sources.sql_messages import one_line, shown
from integrations.sources.sql_text import column_text


@dataclass(frozen=True)
class _Source:
    """One kind's table or query, and how messages and `source_file` name it."""

    origin: str  # source_file: 'sql:erp.items', or 'sql:demand' for a query
    where: str  # the start of every message about it
    statement: Executable | str  # a str is the administrator's query, sent as written


def read_sql_source(
    config: SqlSourceConfig, *, sleep: Callable[[float], None] = time.sleep
) -> RawExtract:
    """Read every configured kind through one connection, as text frames like the CSV folder.

    `sleep` waits between connection attempts; tests pass a no-op.
    """
    engine = _engine(config.url)
    try:
        with _connect(engine, config, sleep) as conn:
            read = {kind: _read_kind(conn, config, kind) for kind in KINDS}
    finally:
        engine.dispose()
    frames: dict[str, pd.DataFrame] = {}
    extras: dict[str, pd.DataFrame] = {}
    files: list[FileInfo] = []
    for kind, part in read.items():
        if part is None:  # optional kind not configured: no rows, like an absent file
            frames[kind] = _empty(CONTRACTS[kind])
            continue
        frames[kind], extra, info = part
        if info.unknown_columns:
            extras[kind] = extra
        files.append(info)
    return RawExtract(frames, files, extras)


def _engine(url: str) -> Engine:
    parsed = make_url(url)
    connect_args: dict[str, Any] = {}
    if (
        parsed.get_driver_name() in {"psycopg", "psycopg2"}
        and "connect_timeout" not in parsed.query
    ):
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
    try:
        # NullPool: one connection per night; a pooled one would only outlive the run
        return create_engine(parsed, connect_args=connect_args, poolclass=NullPool)
    except (ArgumentError, ImportError) as exc:  # unknown dialect, driver not installed
        raise SourceError(f"{shown(url)}: cannot use this URL: {one_line(exc, url)}") from None


def _connect(engine: Engine, config: SqlSourceConfig, sleep: Callable[[float], None]) -> Connection:
    """Connect, retrying only what a restart or a network blip explains (OperationalError)."""
    for attempt in range(1, config.connect_attempts + 1):
        try:
            conn = engine.connect()
        except OperationalError as exc:
            if attempt < config.connect_attempts:
                # doubling waits, each cut by up to half at random, so workers that lost the
                # same database do not all come back in the same second
                sleep(config.retry_wait_seconds * 2 ** (attempt - 1) * random.uniform(0.5, 1.0))
                continue
            tries = f"{attempt} attempt" + ("s" if attempt > 1 else "")
            reason = one_line(exc, config.url)
            # `from None`: the driver's reason is in the message; the chained exception would
            # put a traceback, and possibly connection parameters, in the logs
            raise SourceError(f"{shown(config.url)}: cannot connect ({tries}): {reason}") from None
        except SQLAlchemyError as exc:  # not a blip: wrong option, driver refusing the URL
            raise SourceError(
                f"{shown(config.url)}: cannot connect: {one_line(exc, config.url)}"
            ) from None
        if conn.dialect.name == "postgresql":
            # one snapshot for every kind, so stock and open orders describe the same moment.
            # PostgreSQL gives it without locks; REPEATABLE READ on SQL Server would hold
            # shared locks on the ERP's tables for the whole read, hence PostgreSQL only.
            # Read-only: a source query can never change the database it reads.
            conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        return conn
    raise AssertionError("connect_attempts >= 1")  # pragma: no cover, the loop returns or raises


def _read_kind(
    conn: Connection, config: SqlSourceConfig, kind: str
) -> tuple[pd.DataFrame, pd.DataFrame, FileInfo] | None:
    """One kind's rows as text; None when an optional kind has no table configured."""
    if kind not in config.tables:
        return None
    contract = CONTRACTS[kind]
    source = _source(kind, config.tables[kind])
    try:
        result = _execute(conn, source.statement, config.chunk_size)
        try:
            names = normalise_names(list(map(str, result.keys())))
            duplicate = first_duplicate(names)
            if duplicate is not None:
                raise SourceError(f"{source.where}: column '{duplicate}' appears more than once")
            chosen = _choose(contract, config.columns.get(kind, {}), names, source.where)
            chunks = [
                [column_text(values) for values in _columns(rows, len(names))]
                for rows in result.partitions(config.chunk_size)
            ]
        finally:
            result.close()
    except SQLAlchemyError as exc:
        reason = one_line(exc, config.url)
        raise SourceError(f"{source.where}: cannot be read: {reason}") from exc
    cells = [
        np.concatenate([c[i] for c in chunks]) if chunks else np.array([], dtype=object)
        for i in range(len(names))
    ]
    rows = len(cells[0]) if cells else 0
    if contract.file_required and rows == 0:
        # an empty stock or items table would not fail later, it would order wrongly
        raise SourceError(f"{source.where}: has no rows ({kind} cannot be empty)")
    frame = pd.DataFrame(
        {c: cells[chosen[c]] if c in chosen else "" for c in contract.names},
        index=pd.RangeIndex(rows),
    )
    frame["source_file"] = source.origin
    frame["source_line"] = np.arange(1, rows + 1, dtype=np.int64)
    unknown = [i for i in range(len(names)) if i not in chosen.values()]
    extra = pd.concat(
        [frame[list(SOURCE_COLUMNS)], pd.DataFrame({names[i]: cells[i] for i in unknown})], axis=1
    )
    info = FileInfo(kind, source.origin, rows, "", "", tuple(names[i] for i in unknown))
    return frame, extra, info


def _source(kind: str, configured: str) -> _Source:
    if is_query(configured):
        query = configured.strip().rstrip(";").rstrip()
        short = " ".join(query.split())
        short = short if len(short) <= 60 else short[:57] + "..."
        return _Source(f"sql:{kind}", f"sql:{kind} ({kind} query '{short}')", query)
    schema, name = table_name(kind, configured)
    shown = f"{schema}.{name}" if schema else name
    # quoted_name lets the dialect quote the identifier (reserved words, odd characters,
    # mixed case): a name from the config file is never pasted into SQL text
    from_ = table(quoted_name(name, None), schema=quoted_name(schema, None) if schema else None)
    statement: Executable = select(literal_column("*")).select_from(from_)
    return _Source(f"sql:{shown}", f"sql:{shown} ({kind} table)", statement)


def _execute(conn: Connection, statement: Executable | str, chunk_size: int) -> CursorResult[Any]:
    """Stream the rows (a server-side cursor where the driver has one), chunk by chunk."""
    options: dict[str, Any] = {"stream_results": True, "yield_per": chunk_size}
    if isinstance(statement, str):
        # the query goes to the driver untouched: text() would take ':30' in '10:30' for a
        # bind parameter, and no parameters means the driver does not read '%' either
        return conn.exec_driver_sql(statement, execution_options={**options, "no_parameters": True})
    return conn.execute(statement, execution_options=options)


def _columns(rows: Sequence[Sequence[object]], width: int) -> list[np.ndarray]:
    """Rows turned into columns of Python objects (fromiter: a list in a cell stays one cell)."""
    columns = list(zip(*rows, strict=True)) if rows else [()] * width
    return [np.fromiter(c, dtype=object, count=len(c)) for c in columns]


def _choose(
    contract: TableContract, mapping: Mapping[str, str], names: list[str], where: str
) -> dict[str, int]:
    """Contract column -> its position in the result, after the configured renames."""
    position = {name: i for i, name in enumerate(names)}
    chosen: dict[str, int] = {}
    missing: list[str] = []
    for column in contract.names:
        source = mapping.get(column)
        name = normalise_names([source])[0] if source else column
        if name in position:
            chosen[column] = position[name]
        elif source:  # a mapping naming no column is a typo, even for an optional column
            missing.append(f"'{column}' (mapped from '{source}')")
        elif column in contract.required_columns:
            missing.append(f"'{column}'")
    if missing:
        what = (
            f"column {missing[0]} is" if len(missing) == 1 else f"columns {', '.join(missing)} are"
        )
        found = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
        raise SourceError(f"{where}: required {what} missing (found: {found})")
    return chosen


def _empty(contract: TableContract) -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series(dtype=object) for name in contract.names})
    frame["source_file"] = pd.Series(dtype=object)
    frame["source_line"] = pd.Series(dtype="int64")
    return frame
