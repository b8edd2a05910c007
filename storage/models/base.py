"""The declarative base: one naming convention and the money and quantity types."""

from __future__ import annotations

from sqlalchemy import MetaData, Numeric
from sqlalchemy.orm import DeclarativeBase

# Explicit constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Wide enough for anything the data-quality gate lets through (quantities and costs are
# bounded there, docs/data-quality.md "Bounds"): a line of 1.5e9 units at 1e6 each still
# fits, so a NUMERIC overflow can never stop a night (migration 0006 widened 14 -> 24/20).
Money = Numeric(24, 2)
Quantity = Numeric(20, 3)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
