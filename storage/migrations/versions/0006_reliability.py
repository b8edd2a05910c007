"""Reliability: money and quantity columns wide enough for anything the gate lets through,
and the run lock row SQLite needs (PostgreSQL uses an advisory lock).

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, old precision, new precision, scale)
_WIDENED = (
    ("purchase_orders", "value", 14, 24, 2),
    ("order_lines", "proposed_quantity", 14, 20, 3),
    ("order_lines", "approved_quantity", 14, 20, 3),
    ("order_lines", "line_value", 14, 24, 2),
    ("review_flags", "money_at_stake", 14, 24, 2),
)


def upgrade() -> None:
    op.create_table(
        "run_locks",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("holder", sa.String(64), nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_run_locks"),
    )
    # SQLite does not enforce NUMERIC precision: only PostgreSQL needs the wider type.
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column, old, new, scale in _WIDENED:
        op.alter_column(
            table, column, type_=sa.Numeric(new, scale), existing_type=sa.Numeric(old, scale)
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, column, old, new, scale in _WIDENED:
            op.alter_column(
                table, column, type_=sa.Numeric(old, scale), existing_type=sa.Numeric(new, scale)
            )
    op.drop_table("run_locks")
