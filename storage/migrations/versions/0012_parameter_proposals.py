"""Parameter proposals learnt from buyers' changes (issue 23): proposed by the product,
in force only once an administrator accepts them.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """The parameter_proposals table."""
    op.create_table(
        "parameter_proposals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("scope_key", sa.String(length=160), nullable=False),
        sa.Column("parameter", sa.String(length=48), nullable=False),
        sa.Column("current_value", sa.Float(), nullable=True),
        sa.Column("proposed_value", sa.Float(), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=255), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parameter_proposals")),
    )
    with op.batch_alter_table("parameter_proposals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_parameter_proposals_scope_key"), ["scope_key"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_parameter_proposals_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("parameter_proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_parameter_proposals_status"))
        batch_op.drop_index(batch_op.f("ix_parameter_proposals_scope_key"))
    op.drop_table("parameter_proposals")
