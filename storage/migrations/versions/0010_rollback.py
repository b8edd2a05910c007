"""Rolling a night back (issue 24): the rollback of a run and each order's outcome.

The new order states (withdrawn, cancelling, cancelled) need no schema change:
`purchase_orders.status` is a plain string checked by `domain.lifecycle`.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """The rollbacks table (one per run) and rollback_orders (one per order of it)."""
    op.create_table(
        "rollbacks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("requested_by", sa.String(length=255), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_rollbacks_run_id_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rollbacks")),
        sa.UniqueConstraint("run_id", name=op.f("uq_rollbacks_run_id")),
    )
    with op.batch_alter_table("rollbacks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rollbacks_as_of"), ["as_of"], unique=False)
    op.create_table(
        "rollback_orders",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("rollback_id", sa.Integer(), nullable=False),
        sa.Column("po_key", sa.String(length=96), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["rollback_id"],
            ["rollbacks.id"],
            name=op.f("fk_rollback_orders_rollback_id_rollbacks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rollback_orders")),
        sa.UniqueConstraint(
            "rollback_id", "po_key", name=op.f("uq_rollback_orders_rollback_order")
        ),
    )
    with op.batch_alter_table("rollback_orders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rollback_orders_rollback_id"), ["rollback_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_rollback_orders_po_key"), ["po_key"], unique=False)


def downgrade() -> None:
    """Drop both tables (orders keep their states; the audit log keeps the history)."""
    op.drop_table("rollback_orders")
    op.drop_table("rollbacks")
