"""The SQL source on real databases: the CSV folder's text frames, from PostgreSQL and SQLite.

Each database gets the same typed tables (numeric, integer, date, text, double); the
CSV folder gets the same rows written by pandas. Whatever the source, the data-quality
gate must see the same strings, so it repairs and quarantines the same way.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import postgres_admin_url  # tests/ is on sys.path: pytest's rootdir conftest
from pydantic import ValidationError
from sqlalchemy import (
    Column,
    Date,
    Float,
    Integer,
    MetaData,
    Numeric,
    Table,
    Text,
    create_engine,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.types import TypeEngine

from dataquality import CONTRACTS, Reason, ValidationRules, validate
from integrations.sources.csv_folder import read_csv_folder
from integrations.sources.errors import SourceError
from integrations.sources.sql import SqlSourceConfig, read_sql_source
from integrations.sources.sql_text import cell_text, column_text

AS_OF = date(2024, 6, 30)
D = Decimal
Rows = tuple[list[str], Sequence[Sequence[object]]]  # column names, then the rows

SUPPLIERS: Rows = (
    ["supplier_id", "name", "min_order_value", "lead_time_days", "account_manager"],
    [
        ("S1", "Acme Tools", D("250"), 7, "Jo"),
        ("S2", 'Bolt, "B" & Co', None, 10, None),
    ],
)
ITEMS: Rows = (
    [
        "sku",
        "location",
        "supplier_id",
        "unit_cost",
        "pack_size",
        "moq",
        "lead_time_days",
        "service_level",
        "category",
        "description",
    ],
    [
        ("A1", "L1", "S1", D("2.5"), 6, D("0"), 3, 0.95, "tools", "Hammer, 500 g"),
        ("A2", "L1", "S2", D("12.75"), 1, D("10"), 14, None, None, None),
        ("B1", "L2", "S1", D("0.125"), 12, D("24"), 5, 0.9, "fasteners", "Screws M4"),
    ],
)
DEMAND: Rows = (  # demand_pos: the shop system's names; the view `demand` renames them
    ["sku", "location", "sale_date", "qty", "channel"],
    [
        ("A1", "L1", date(2024, 6, 1), D("4"), "store"),
        ("A1", "L1", date(2024, 6, 2), D("1.5"), "store"),
        ("A2", "L1", date(2024, 6, 2), D("3"), "web:shop"),
        ("B1", "L2", date(2024, 6, 3), D("120"), None),
        ("B1", "L2", date(2024, 6, 4), D("0"), "store"),
    ],
)
DEMAND_WEB: Rows = (  # the third row has no quantity: the gate must quarantine it, nothing else
    ["sku", "location", "sale_date", "qty", "channel"],
    [
        ("A1", "L1", date(2024, 6, 5), D("2"), "web"),
        ("A2", "L1", date(2024, 6, 5), D("1"), "web"),
        ("B1", "L2", date(2024, 6, 5), None, "web"),
        ("B1", "L2", date(2024, 6, 6), D("6"), "web"),
    ],
)
STOCK: Rows = (
    ["sku", "location", "on_hand", "as_of"],
    [("A1", "L1", D("10"), AS_OF), ("A2", "L1", D("-2"), None), ("B1", "L2", D("48.5"), AS_OF)],
)
OPEN_ORDERS: Rows = (
    ["order_ref", "sku", "location", "quantity", "due_date", "supplier_id"],
    [("PO-7", "A1", "L1", D("12"), date(2024, 7, 3), None)],
)
STOCK_HISTORY: Rows = (
    ["sku", "location", "date", "on_hand"],
    [("A1", "L1", date(2024, 6, 28), D("0")), ("A1", "L1", date(2024, 6, 29), D("5"))],
)
TYPES: dict[str, TypeEngine[Any]] = {  # column -> type; anything not listed is text
    "min_order_value": Numeric(),
    "unit_cost": Numeric(),
    "moq": Numeric(),
    "qty": Numeric(),
    "on_hand": Numeric(),
    "quantity": Numeric(),
    "lead_time_days": Integer(),
    "pack_size": Integer(),
    "service_level": Float(),
    "sale_date": Date(),
    "as_of": Date(),
    "due_date": Date(),
    "date": Date(),
}
TABLES: dict[str, Rows] = {
    "suppliers": SUPPLIERS,
    "items": ITEMS,
    "demand_pos": DEMAND,
    "demand_web": DEMAND_WEB,
    "stock": STOCK,
    "open_orders": OPEN_ORDERS,
    "stock_history": STOCK_HISTORY,
}
VIEWS = {
    "demand": "SELECT sku, location, sale_date AS date, qty AS quantity, channel FROM {demand_pos}",
    "items_erp": "SELECT sku AS item_code, location, supplier_id, unit_cost, pack_size, moq, "
    "lead_time_days, service_level, category, description FROM {items}",
    "items_no_cost": "SELECT sku, location, supplier_id, pack_size, moq, lead_time_days "
    "FROM {items}",
}


@dataclass(frozen=True)
class Database:
    """A database holding the tables above, and how to name them in a config."""

    url: str
    schema: str | None

    def name(self, table: str) -> str:
        return f"{self.schema}.{table}" if self.schema else table

    def config(self, **overrides: object) -> SqlSourceConfig:
        tables = {
            "items": self.name("items"),
            "suppliers": self.name("suppliers"),
            "demand": self.name("demand"),
            "stock": self.name("stock"),
            "open_orders": self.name("open_orders"),
            "stock_history": self.name("stock_history"),
        }
        return SqlSourceConfig.model_validate({"url": self.url, "tables": tables, **overrides})


def _fill(url: str, schema: str | None) -> None:
    engine = create_engine(url)
    metadata = MetaData(schema=schema)
    tables = {
        name: Table(name, metadata, *(Column(c, TYPES.get(c, Text())) for c in columns))
        for name, (columns, _) in TABLES.items()
    }
    database = Database(url, schema)
    with engine.begin() as conn:
        metadata.create_all(conn)
        for name, (columns, rows) in TABLES.items():
            conn.execute(tables[name].insert(), [dict(zip(columns, r, strict=True)) for r in rows])
        for view, query in VIEWS.items():
            names = {t: database.name(t) for t in TABLES}
            conn.execute(text(f"CREATE VIEW {database.name(view)} AS {query.format(**names)}"))
    engine.dispose()


@pytest.fixture(scope="module")
def sqlite_database(tmp_path_factory: pytest.TempPathFactory) -> Database:
    url = f"sqlite:///{tmp_path_factory.mktemp('sql_source') / 'erp.db'}"
    _fill(url, None)
    return Database(url, None)


@pytest.fixture(scope="module")
def postgres_database() -> Iterator[Database]:
    """A schema with a random name on the test server, dropped with everything in it."""
    admin = postgres_admin_url()
    if admin is None:
        pytest.skip("no PostgreSQL: set REPLENISH_TEST_POSTGRES_URL (CI does)")
    schema = f"s_{uuid.uuid4().hex[:12]}"
    engine = create_engine(admin)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        _fill(admin, schema)
        yield Database(admin, schema)
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> Database:
    """Each test once on SQLite (a file) and once on PostgreSQL: any SQLAlchemy URL."""
    return request.getfixturevalue(f"{request.param}_database")


def _csv_folder(folder: Path) -> Path:
    """The same rows as CSV files, written by pandas the way an export would."""
    demand_columns = ["sku", "location", "date", "quantity", "channel"]
    for name, (columns, rows) in {
        "suppliers.csv": SUPPLIERS,
        "items.csv": ITEMS,
        "demand.csv": (demand_columns, DEMAND[1]),
        "stock.csv": STOCK,
        "open_orders.csv": OPEN_ORDERS,
        "stock_history.csv": STOCK_HISTORY,
    }.items():
        pd.DataFrame(rows, columns=columns, dtype=object).to_csv(folder / name, index=False)
    return folder


def _no_wait(seconds: float) -> None:
    """Tests do not wait for a database that will not come back."""


# -- (1) a clean database reads exactly as the same rows in CSV files ----------------------


def test_clean_database_gives_the_csv_folders_strings(database: Database, tmp_path: Path) -> None:
    from_sql = read_sql_source(database.config(chunk_size=2))  # several chunks per table
    from_csv = read_csv_folder(_csv_folder(tmp_path))
    for kind, contract in CONTRACTS.items():
        sql_frame, csv_frame = from_sql.frames[kind], from_csv.frames[kind]
        # the CSV folder keeps its text as categoricals (each string once): same cells
        pd.testing.assert_frame_equal(
            sql_frame[contract.names].reset_index(drop=True),
            csv_frame[contract.names].astype(object).reset_index(drop=True),
            obj=kind,
        )
        assert sql_frame[contract.names].map(lambda v: isinstance(v, str)).all().all(), kind
        assert sql_frame["source_line"].tolist() == list(range(1, len(sql_frame) + 1))
        assert set(sql_frame["source_file"]) == {f"sql:{database.name(kind)}"}
    assert list(from_sql.extras) == list(from_csv.extras) == ["suppliers"]
    assert from_sql.extras["suppliers"]["account_manager"].tolist() == ["Jo", ""]
    assert from_csv.extras["suppliers"]["account_manager"].tolist() == ["Jo", ""]
    assert [(f.kind, f.rows, f.unknown_columns) for f in from_sql.files] == [
        (f.kind, f.rows, f.unknown_columns) for f in from_csv.files
    ]


def test_exact_strings_of_typed_columns(database: Database) -> None:
    """numeric keeps its digits, integers stay integers, dates are ISO, NULL is empty."""
    extract = read_sql_source(database.config())
    items = extract.frames["items"]
    assert items["unit_cost"].tolist() == ["2.5", "12.75", "0.125"]
    assert items["pack_size"].tolist() == ["6", "1", "12"]
    assert items["lead_time_days"].tolist() == ["3", "14", "5"]
    assert items["service_level"].tolist() == ["0.95", "", "0.9"]
    assert items["active"].tolist() == ["", "", ""]  # absent optional column: empty
    assert extract.frames["demand"]["date"].tolist()[:2] == ["2024-06-01", "2024-06-02"]
    assert extract.frames["stock"]["on_hand"].tolist() == ["10", "-2", "48.5"]


def test_absent_optional_kind_is_an_empty_table(database: Database) -> None:
    config = database.config()
    tables = {k: v for k, v in config.tables.items() if k != "open_orders"}
    extract = read_sql_source(config.model_copy(update={"tables": tables}))
    open_orders = extract.frames["open_orders"]
    assert open_orders.empty
    assert list(open_orders.columns) == [
        *CONTRACTS["open_orders"].names,
        "source_file",
        "source_line",
    ]
    assert "open_orders" not in {f.kind for f in extract.files}


# -- (2) column mapping ---------------------------------------------------------------------


def test_column_mapping_renames_source_columns(database: Database) -> None:
    config = database.config(
        tables={**database.config().tables, "items": database.name("items_erp")},
        columns={"items": {"sku": "Item_Code"}},  # matched trimmed and case-folded
    )
    extract = read_sql_source(config)
    assert extract.frames["items"]["sku"].tolist() == ["A1", "A2", "B1"]
    assert "items" not in extract.extras  # the mapped column is not "unknown"
    assert extract.frames["items"]["source_file"].iloc[0] == f"sql:{database.name('items_erp')}"


def test_mapped_column_wins_over_a_source_column_of_the_same_name(database: Database) -> None:
    """The table's own `sku` is not lost: it is kept aside with the unknown columns."""
    config = database.config(columns={"items": {"sku": "category"}})
    extract = read_sql_source(config)
    assert extract.frames["items"]["sku"].tolist() == ["tools", "", "fasteners"]
    assert extract.extras["items"]["sku"].tolist() == ["A1", "A2", "B1"]


# -- (3) the gate over the SQL extract --------------------------------------------------------


def test_gate_accepts_clean_rows_and_quarantines_a_null_quantity(database: Database) -> None:
    config = database.config(
        tables={**database.config().tables, "demand": database.name("demand_web")},
        columns={"demand": {"date": "sale_date", "quantity": "qty"}},
    )
    result = validate(read_sql_source(config).frames, as_of=AS_OF, rules=ValidationRules())

    demand_file = f"sql:{database.name('demand_web')}"
    issues = result.issues
    assert len(issues) == 1, issues.to_string()
    issue = issues.iloc[0]
    assert (issue["kind"], issue["file"], issue["line"]) == ("demand", demand_file, 3)
    assert (issue["disposition"], issue["field"]) == ("quarantined", "quantity")
    assert Reason.MISSING_FIELD.value in issue["reasons"].split(";")
    counts = result.counts.set_index("file")
    assert counts.loc[demand_file, ["read", "accepted", "quarantined"]].tolist() == [4, 3, 1]
    others = counts.drop(index=demand_file)
    assert (others["read"] == others["accepted"]).all(), others.to_string()
    assert len(result.tables["demand"]) == 3


# -- (4) a missing required column -------------------------------------------------------------


def test_missing_required_column_names_kind_table_and_column(database: Database) -> None:
    config = database.config(
        tables={**database.config().tables, "items": database.name("items_no_cost")}
    )
    with pytest.raises(SourceError) as raised:
        read_sql_source(config)
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith(f"sql:{database.name('items_no_cost')} (items table): ")
    assert "required column 'unit_cost' is missing (found: sku, location," in message


def test_mapping_to_a_missing_column_is_refused(database: Database) -> None:
    with pytest.raises(SourceError, match=r"column 'sku' \(mapped from 'item_code'\) is missing"):
        read_sql_source(database.config(columns={"items": {"sku": "item_code"}}))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("SELECT * FROM {items} WHERE 1 = 0", r"\): has no rows \(items cannot be empty\)$"),
        ('SELECT *, sku AS "SKU " FROM {items}', r"\): column 'sku' appears more than once$"),
    ],
)
def test_unusable_result_is_refused(database: Database, query: str, message: str) -> None:
    items = query.format(items=database.name("items"))
    with pytest.raises(SourceError, match=r"^sql:items \(items query 'SELECT \*.*" + message):
        read_sql_source(database.config(tables={**database.config().tables, "items": items}))


def test_a_table_name_is_an_identifier_never_sql(database: Database) -> None:
    hostile = "items; DROP TABLE stock"
    config = database.config(tables={**database.config().tables, "items": hostile})
    with pytest.raises(SourceError, match=r"^sql:items; DROP TABLE stock \(items table\): cannot"):
        read_sql_source(config)
    assert len(read_sql_source(database.config()).frames["stock"]) == 3  # still there


# -- (5) a database that cannot be reached ------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_unreachable_server_is_one_line_without_the_password() -> None:
    password = f"pw-{uuid.uuid4().hex}"
    url = f"postgresql+psycopg://replenish:{password}@127.0.0.1:{_closed_port()}/erp"
    waits: list[float] = []
    config = Database(url, None).config(connect_attempts=3, retry_wait_seconds=2.0)
    with pytest.raises(SourceError) as raised:
        read_sql_source(config, sleep=waits.append)  # the waits are recorded, not slept
    message = str(raised.value)
    assert "\n" not in message
    assert password not in message
    assert message.startswith("sql source postgresql+psycopg://replenish:***@127.0.0.1:")
    assert "cannot connect (3 attempts): " in message
    assert "Connection refused" in message
    # doubling waits with jitter: 2 s then 4 s, each cut by at most half
    assert len(waits) == 2
    assert 1.0 <= waits[0] <= 2.0
    assert 2.0 <= waits[1] <= 4.0
    assert raised.value.__cause__ is None  # no chained driver error to print a traceback


@pytest.mark.postgres
def test_refused_login_is_one_line_without_the_password(postgres_database: Database) -> None:
    """The test server trusts loopback, so an unknown role stands in for a wrong password."""
    password = f"pw-{uuid.uuid4().hex}"
    role = f"nobody_{uuid.uuid4().hex[:8]}"
    url = make_url(postgres_database.url).set(username=role, password=password)
    config = postgres_database.config(url=url.render_as_string(hide_password=False))
    with pytest.raises(SourceError) as raised:
        read_sql_source(config, sleep=_no_wait)
    message = str(raised.value)
    assert "\n" not in message
    assert password not in message
    assert f"{role}:***@" in message
    assert f'role "{role}" does not exist' in message


def test_unopenable_sqlite_file_is_a_source_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'no-such-folder' / 'erp.db'}"
    with pytest.raises(SourceError, match=r"cannot connect \(4 attempts\): unable to open"):
        read_sql_source(Database(url, None).config(), sleep=_no_wait)


def test_failing_query_names_the_source(database: Database) -> None:
    query = f"SELECT sku, location, on_hand FROM {database.name('no_such_table')}"
    config = database.config(tables={**database.config().tables, "stock": query})
    with pytest.raises(SourceError) as raised:
        read_sql_source(config)
    message = str(raised.value)
    assert message.startswith("sql:stock (stock query 'SELECT sku, location, on_hand FROM ")
    assert ": cannot be read: " in message
    assert "no_such_table" in message
    assert "\n" not in message


# -- (6) a query source --------------------------------------------------------------------------


def test_query_source_is_run_as_written(database: Database) -> None:
    """':shop' and '%' reach the database untouched: no bind parameters are read into it."""
    query = f"""
        SELECT sku AS "SKU", location AS " Location", sale_date AS date, qty AS quantity,
               channel
        FROM {database.name("demand_pos")}
        WHERE channel <> 'web:shop' AND sku LIKE 'A%'
        ORDER BY sale_date;
    """
    config = database.config(tables={**database.config().tables, "demand": query})
    demand = read_sql_source(config).frames["demand"]
    assert demand[["sku", "location", "date", "quantity", "channel"]].values.tolist() == [
        ["A1", "L1", "2024-06-01", "4", "store"],
        ["A1", "L1", "2024-06-02", "1.5", "store"],
    ]
    assert demand["source_file"].tolist() == ["sql:demand", "sql:demand"]
    assert demand["source_line"].tolist() == [1, 2]


# -- values as a CSV export writes them -----------------------------------------------------------


@pytest.mark.postgres
def test_postgres_types_become_export_text(postgres_database: Database) -> None:
    query = """
        SELECT 'A1' AS sku, 'L1' AS location, 3 AS on_hand,
               2.0::float8 AS whole_float, 1e-5::float8 AS small_float,
               1e16::float8 AS big_float, 'NaN'::float8 AS nan_float,
               12.50::numeric(10, 2) AS money, 1e-7::numeric AS tiny, 1e20::numeric AS huge,
               true AS yes, false AS no, DATE '2024-02-29' AS day,
               TIMESTAMP '2024-02-29 00:00' AS midnight, TIMESTAMP '2024-02-29 13:05' AS later,
               NULL::integer AS nothing, 9007199254740993::bigint AS big_int,
               '  padded ' AS padded, ARRAY['a', 'b'] AS tags, '{"k": 1}'::jsonb AS doc
    """
    config = postgres_database.config(tables={**postgres_database.config().tables, "stock": query})
    extras = read_sql_source(config).extras["stock"].drop(columns=["source_file", "source_line"])
    assert extras.iloc[0].to_dict() == {
        "whole_float": "2",
        "small_float": "0.00001",
        "big_float": "10000000000000000",
        "nan_float": "",
        "money": "12.50",
        "tiny": "0.0000001",
        "huge": "100000000000000000000",
        "yes": "true",
        "no": "false",
        "day": "2024-02-29",
        "midnight": "2024-02-29",
        "later": "2024-02-29 13:05:00",
        "nothing": "",
        "big_int": "9007199254740993",
        "padded": "  padded ",
        "tags": '["a", "b"]',
        "doc": '{"k": 1}',
    }


def test_sqlite_mixed_column_becomes_export_text(sqlite_database: Database) -> None:
    """SQLite lets one column hold integers, reals, text and blobs: each is read alike."""
    query = """
        SELECT 'A1' AS sku, 'L1' AS location, 3 AS on_hand, 1 AS n UNION ALL
        SELECT 'A2', 'L1', 2.0, 2.5 UNION ALL
        SELECT 'A3', 'L1', '1,5', NULL UNION ALL
        SELECT 'A4', 'L1', 1e-5, x'c3a9'
    """
    config = sqlite_database.config(tables={**sqlite_database.config().tables, "stock": query})
    extract = read_sql_source(config)
    assert extract.frames["stock"]["on_hand"].tolist() == ["3", "2", "1,5", "0.00001"]
    assert extract.extras["stock"]["n"].tolist() == ["1", "2.5", "", "é"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (True, "true"),
        (False, "false"),
        (7, "7"),
        (-0.0, "0"),
        (2.0, "2"),
        (0.1, "0.1"),
        (1e-7, "0.0000001"),
        (1.5e17, "150000000000000000"),
        (float("nan"), ""),
        (float("inf"), "inf"),
        (D("12.50"), "12.50"),
        (D("1E+3"), "1000"),
        (D("NaN"), ""),
        (date(2024, 1, 5), "2024-01-05"),
        (datetime(2024, 1, 5), "2024-01-05"),
        (datetime(2024, 1, 5, 8, 30), "2024-01-05 08:30:00"),
        (b"abc", "abc"),
        ("  as is ", "  as is "),
    ],
)
def test_cell_text(value: object, expected: str) -> None:
    assert cell_text(value) == expected


@pytest.mark.parametrize(
    "values",
    [
        [1.0, 2.5, None, 1e-9, 3e20, -4.0, float("nan"), float("-inf")],
        [D("1.10"), None, D("2E+2"), D("-0.5")],
        [1, None, 2**70],
        [True, None, False],
        [date(2024, 1, 5), None],
        ["a", None, ""],
        [],
    ],
)
def test_column_text_agrees_with_cell_text(values: list[object]) -> None:
    """The vectorised paths are only a faster spelling of `cell_text`."""
    column = np.fromiter(values, dtype=object, count=len(values))
    assert column_text(column).tolist() == [cell_text(v) for v in values]


# -- the configuration refuses mistakes before a run -----------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"tables": {"items": "i", "suppliers": "s", "demand": "d"}},
            "no table or query for stock",
        ),
        ({"tables": {"items": "i", "suppliers": "s", "demand": "d", "stok": "x"}}, "unknown kind"),
        ({"tables": {"items": "a.b.c", "suppliers": "s", "demand": "d", "stock": "t"}}, "neither"),
        ({"columns": {"items": {"code": "item_code"}}}, "code not in the contract"),
        ({"columns": {"items": {"sku": " "}}}, "no source column given for sku"),
    ],
)
def test_config_refuses_mistakes(change: dict[str, object], message: str) -> None:
    base: dict[str, object] = {
        "url": "sqlite:///erp.db",
        "tables": {"items": "i", "suppliers": "s", "demand": "d", "stock": "t"},
    }
    with pytest.raises(ValidationError, match=message):
        SqlSourceConfig.model_validate({**base, **change})


def test_config_never_shows_the_password() -> None:
    secret = f"pw-{uuid.uuid4().hex}"
    config = SqlSourceConfig(
        url=f"postgresql+psycopg://u:{secret}@db/erp",
        tables={"items": "i", "suppliers": "s", "demand": "d", "stock": "t"},
    )
    assert secret not in repr(config)
    assert secret not in str(config)
    with pytest.raises(ValidationError) as raised:
        SqlSourceConfig(url=f"not a url {secret}", tables=config.tables)
    assert secret not in str(raised.value)
