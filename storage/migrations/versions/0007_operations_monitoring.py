"""Monitoring: the segments a forecast belongs to, and each night's accuracy per segment.

Revision ID: 0007
Revises: 0004
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Supplier and category on each forecast; the monitoring_results table."""
    with op.batch_alter_table("forecasts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("supplier_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("category", sa.String(length=128), nullable=True))
    op.create_table(
        "monitoring_results",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("segment", sa.String(length=128), nullable=False),
        sa.Column("series", sa.Integer(), nullable=False),
        sa.Column("forecasts", sa.Integer(), nullable=False),
        sa.Column("mase", sa.Double(), nullable=True),
        sa.Column("rmsse", sa.Double(), nullable=True),
        sa.Column("bias", sa.Double(), nullable=True),
        sa.Column("coverage", sa.Double(), nullable=True),
        sa.Column("target", sa.Double(), nullable=True),
        sa.Column("baseline_rmsse", sa.Double(), nullable=True),
        sa.Column("baseline_bias", sa.Double(), nullable=True),
        sa.Column("drift", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["runs.id"],
            name=op.f("fk_monitoring_results_run_id_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_results")),
    )
    with op.batch_alter_table("monitoring_results", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_monitoring_results_as_of"), ["as_of"], unique=False)
        batch_op.create_index(batch_op.f("ix_monitoring_results_run_id"), ["run_id"], unique=False)


def downgrade() -> None:
    """Drop the monitoring table and the segment columns."""
    op.drop_table("monitoring_results")
    with op.batch_alter_table("forecasts", schema=None) as batch_op:
        batch_op.drop_column("category")
        batch_op.drop_column("supplier_id")
