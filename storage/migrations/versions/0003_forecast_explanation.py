"""Forecast explanation: the backtest's errors, the candidates compared and the forecast path.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the columns that answer "why did it recommend that?" per series."""
    with op.batch_alter_table("forecasts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("backtest_rmsse", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("backtest_mase", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("bias", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("candidates", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("forecast_path", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Drop the explanation columns."""
    with op.batch_alter_table("forecasts", schema=None) as batch_op:
        for column in ("forecast_path", "candidates", "bias", "backtest_mase", "backtest_rmsse"):
            batch_op.drop_column(column)
