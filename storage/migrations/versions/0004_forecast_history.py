"""Forecast history: the demand each series was fitted on, its latest demand, and the
one-off spikes capped before fitting.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_RECENT = (
    "demand_cap",
    "capped_periods",
    "recent_std",
    "recent_expected",
    "recent_demand",
    "recent_days",
    "history_tail",
)


def upgrade() -> None:
    """Keep the recent history beside the forecast path, and the latest demand vs forecast."""
    with op.batch_alter_table("forecasts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("history_tail", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("recent_days", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("recent_demand", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("recent_expected", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("recent_std", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("capped_periods", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("demand_cap", sa.Double(), nullable=True))


def downgrade() -> None:
    """Drop the history columns."""
    with op.batch_alter_table("forecasts", schema=None) as batch_op:
        for column in _RECENT:
            batch_op.drop_column(column)
