"""Forecasts keep how many periods of their history were spent out of stock and
re-estimated before fitting (issue 13), beside the spikes capped (0004).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """A nullable count: forecasts recorded before it have none."""
    with op.batch_alter_table("forecasts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("censored_periods", sa.Integer(), nullable=True))


def downgrade() -> None:
    """Drop the count."""
    with op.batch_alter_table("forecasts", schema=None) as batch_op:
        batch_op.drop_column("censored_periods")
