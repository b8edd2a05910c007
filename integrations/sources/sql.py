"""Any database SQLAlchemy can reach as a source: one table, view or query per kind.

The rows are handed on the way the CSV folder hands on a file: every cell as the text a
CSV export would hold, plus `source_file` and `source_line`. Typing stays with the
data-quality gate, so a NULL quantity or a date held in a text column is quarantined or
repaired there, with the same reasons and the same record, whatever the source. This
module only refuses a source that cannot be read at all (no connection, a failing query,
a missing column), with one line naming it and never the password.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as dt_time
from decimal import Decimal
from typing import Any
from urllib.parse import quote_plus

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator
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
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import NullPool
from sqlalchemy.sql.elements import quoted_name

from dataquality.contract import CONTRACTS, KINDS, SOURCE_COLUMNS, TableContract
from integrations.sources.csv_folder import FileInfo, RawExtract
from integrations.sources.errors import SourceError
from integrations.sources.headers import first_duplicate, normalise_names

# libpq waits as long as the network lets it for a host that drops packets; a nightly run
# must fail and alert instead. A `connect_timeout` in the URL wins.
CONNECT_TIMEOUT_SECONDS = 30
QUERY_STARTS = ("select", "with")


class SqlSourceConfig(BaseModel):
    """Where one night's extract lives in a database, and how its columns map to the contract.

    Inputs are refused at load time (unknown kind, missing required kind, a mapping to a
    column the contract does not have) so a typo fails the configuration, not a run.
    Errors never echo the input: the URL may carry a password.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    url: str = Field(
        repr=False,  # the URL may hold a password; keep it out of logs and tracebacks
        description=(
            "SQLAlchemy URL, e.g. postgresql+psycopg://replenish@erp-db:5432/erp. Give it "
            "through the environment (REPLENISH_SOURCE__SQL__URL) when it holds a password."
        ),
    )
    tables: dict[str, str] = Field(
        description=(
            "kind -> a table or view ('items', 'erp.items') or a query starting with "
            "SELECT or WITH, run as written. items, suppliers, demand and stock are "
            "required; open_orders is optional (absent = no open orders)."
        ),
    )
    columns: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="kind -> {contract column: source column}, for sources named differently.",
    )
    chunk_size: int = Field(
        default=50_000,
        ge=1,
        description="Rows fetched per round trip; a large table is streamed, never held twice.",
    )
    connect_attempts: int = Field(
        default=4,
        ge=1,
        description="Connection attempts before the run fails (a database restarting at night).",
    )
    retry_wait_seconds: float = Field(
        default=5.0,
        ge=0,
        description="Wait before the second attempt; doubled for each further one, with jitter.",
    )

    @field_validator("url")
    @classmethod
    def _is_url(cls, url: str) -> str:
        try:
            make_url(url)
        except ArgumentError:
            # `from None`: SQLAlchemy's message repeats the URL, password included
            raise ValueError(
                "is not a SQLAlchemy URL (dialect+driver://user@host:port/database)"
            ) from None
        return url

    @field_validator("tables")
    @classmethod
    def _known_tables(cls, tables: dict[str, str]) -> dict[str, str]:
        _known_kinds(tables)
        missing = [k for k in KINDS if CONTRACTS[k].file_required and k not in tables]
        if missing:
            raise ValueError(f"no table or query for {', '.join(missing)} (required)")
        for kind, source in tables.items():
            if not _is_query(source):
                _table_name(kind, source)
        return tables

    @field_validator("columns")
    @classmethod
    def _known_columns(cls, columns: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        _known_kinds(columns)
        for kind, mapping in columns.items():
            names = CONTRACTS[kind].names
            unknown = [c for c in mapping if c not in names]
            if unknown:
                raise ValueError(
                    f"{kind}: {', '.join(unknown)} not in the contract ({', '.join(names)})"
                )
            blank = [c for c, source in mapping.items() if not source.strip()]
            if blank:
                raise ValueError(f"{kind}: no source column given for {', '.join(blank)}")
        return columns


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
        raise SourceError(f"{_shown(url)}: cannot use this URL: {_one_line(exc, url)}") from None


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
            reason = _one_line(exc, config.url)
            # `from None`: the driver's reason is in the message; the chained exception would
            # put a traceback, and possibly connection parameters, in the logs
            raise SourceError(f"{_shown(config.url)}: cannot connect ({tries}): {reason}") from None
        except SQLAlchemyError as exc:  # not a blip: wrong option, driver refusing the URL
            raise SourceError(
                f"{_shown(config.url)}: cannot connect: {_one_line(exc, config.url)}"
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
        reason = _one_line(exc, config.url)
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
    if _is_query(configured):
        query = configured.strip().rstrip(";").rstrip()
        short = " ".join(query.split())
        short = short if len(short) <= 60 else short[:57] + "..."
        return _Source(f"sql:{kind}", f"sql:{kind} ({kind} query '{short}')", query)
    schema, name = _table_name(kind, configured)
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


def _known_kinds(by_kind: Mapping[str, object]) -> None:
    unknown = sorted(set(by_kind) - set(KINDS))
    if unknown:
        raise ValueError(f"unknown kind {', '.join(unknown)} (kinds: {', '.join(KINDS)})")


def _is_query(configured: str) -> bool:
    words = configured.split(maxsplit=1)
    return len(words) == 2 and words[0].casefold() in QUERY_STARTS


def _table_name(kind: str, configured: str) -> tuple[str | None, str]:
    """'items' or 'erp.items' as (schema, table); anything else needs to be a query."""
    parts = [p.strip() for p in configured.strip().split(".")]
    if len(parts) > 2 or not all(parts):
        raise ValueError(
            f"{kind}: {configured!r} is neither a table ('items', 'erp.items') nor a query "
            "starting with SELECT or WITH"
        )
    return (None, parts[0]) if len(parts) == 1 else (parts[0], parts[1])


def _shown(url: str) -> str:
    """The URL as an operator may see it: 'sql source postgresql+psycopg://u:***@host/db'."""
    try:
        return "sql source " + make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "sql source (unparseable URL)"


_BACKGROUND = re.compile(r"\(Background on this error at: [^)]*\)")


def _one_line(exc: BaseException, url: str) -> str:
    """The driver's own words on one line, without SQLAlchemy's boilerplate or the password."""
    reason = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    text = " ".join(_BACKGROUND.sub("", str(reason)).split())
    try:
        password = make_url(url).password
    except ArgumentError:
        password = None
    if password:
        for secret in {str(password), quote_plus(str(password))}:
            text = text.replace(secret, "***")
    return text if len(text) <= 400 else text[:397] + "..."


# -- values as a CSV export writes them ----------------------------------------------------
# The gate was built for CSV text; a source that handed it Python floats or dates would
# meet other code paths (and other bugs) than the CSV folder does. So each value becomes
# the text an export would hold: '' for NULL, ISO dates, numbers without exponent.

_BOOLEANS = {True: "true", False: "false"}


def column_text(values: np.ndarray) -> np.ndarray:
    """A column of driver values (an object array) as text, typed alike in one pass.

    Database columns are usually of one type, so the general `cell_text` only runs for
    mixed ones (SQLite, whose columns take any type) and rarer types (timestamps, bytes).
    """
    out = np.full(len(values), "", dtype=object)
    present = pd.notna(values)  # None, NaN and Decimal('NaN') are all NULL
    cells = values[present]
    kind = pd.api.types.infer_dtype(cells, skipna=False)
    if kind == "string":
        out[present] = cells
    elif kind == "date":  # a few hundred days over a million rows: each formatted once
        codes, days = pd.factorize(cells)
        out[present] = np.array([day.isoformat() for day in days], dtype=object)[codes]
    elif kind == "floating":
        out[present] = _floats_text(cells)
    elif kind == "boolean":
        out[present] = np.where(cells.astype(bool), "true", "false").astype(object)
    elif kind in ("integer", "decimal"):
        # not deduplicated: 1.5 and 1.50 are equal keys but different text
        out[present] = [str(v) if kind == "integer" else _decimal_text(v) for v in cells]
    else:
        out[present] = [cell_text(v) for v in cells]
    return out


def cell_text(value: object) -> str:
    """One value as text, for columns of mixed or rarer types."""
    if value is None:
        return ""
    if isinstance(value, bool):  # before int: True is an int to Python
        return _BOOLEANS[value]
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, Decimal):
        return "" if value.is_nan() else _decimal_text(value)
    if isinstance(value, datetime):  # before date: a datetime is a date to Python
        # a DATE on Oracle or a timestamp at midnight is a date; a time of day is kept so
        # the gate quarantines it rather than this adapter dropping it unseen
        return value.date().isoformat() if value.time() == dt_time(0) else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, dict | list):  # JSON and array columns, kept aside as extras
        return json.dumps(value, default=str, ensure_ascii=False)
    return str(value)


def _decimal_text(value: Decimal) -> str:
    """NUMERIC with its scale ('12.50', as the database exports it), never an exponent."""
    text = str(value)
    return format(value, "f") if "E" in text else text


def _float_text(value: float) -> str:
    if value != value:  # NaN
        return ""
    if value.is_integer():  # a quantity in a FLOAT column: '12', as a spreadsheet shows it
        return str(int(value))
    text = repr(value)  # the shortest text that reads back as the same float
    return np.format_float_positional(value, trim="-") if "e" in text else text


def _floats_text(cells: np.ndarray) -> np.ndarray:
    """`_float_text` over a whole column: whole numbers through int64, the rest one by one."""
    numbers = cells.astype(float)
    whole = np.isfinite(numbers) & (numbers == np.trunc(numbers)) & (np.abs(numbers) < 1e16)
    text = np.empty(len(numbers), dtype=object)
    text[whole] = numbers[whole].astype(np.int64).astype(str)
    text[~whole] = [_float_text(v) for v in numbers[~whole].tolist()]
    return text
