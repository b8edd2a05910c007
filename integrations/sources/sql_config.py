"""The settings of a SQL source: where the extract lives and how its columns map to the
data-quality contract; refused at load time, so a typo fails the configuration, not a run."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from dataquality.contract import CONTRACTS, KINDS

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
        known_kinds(tables)
        missing = [k for k in KINDS if CONTRACTS[k].file_required and k not in tables]
        if missing:
            raise ValueError(f"no table or query for {', '.join(missing)} (required)")
        for kind, source in tables.items():
            if not is_query(source):
                table_name(kind, source)
        return tables

    @field_validator("columns")
    @classmethod
    def _known_columns(cls, columns: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        known_kinds(columns)
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


def known_kinds(by_kind: Mapping[str, object]) -> None:
    unknown = sorted(set(by_kind) - set(KINDS))
    if unknown:
        raise ValueError(f"unknown kind {', '.join(unknown)} (kinds: {', '.join(KINDS)})")


def is_query(configured: str) -> bool:
    words = configured.split(maxsplit=1)
    return len(words) == 2 and words[0].casefold() in QUERY_STARTS


def table_name(kind: str, configured: str) -> tuple[str | None, str]:
    """'items' or 'erp.items' as (schema, table); anything else needs to be a query."""
    parts = [p.strip() for p in configured.strip().split(".")]
    if len(parts) > 2 or not all(parts):
        raise ValueError(
            f"{kind}: {configured!r} is neither a table ('items', 'erp.items') nor a query "
            "starting with SELECT or WITH"
        )
    return (None, parts[0]) if len(parts) == 1 else (parts[0], parts[1])
