"""Shadow mode and gradual rollout (issue 23): the mode each order was made in, and the
rollout configuration each run was made with (to audit a change of mode).

The new order state `shadow` needs no schema change: `purchase_orders.status` is a plain
string checked by `domain.lifecycle`.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Orders made before rollout modes existed were made live: the default says so."""
    with op.batch_alter_table("purchase_orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("rollout_mode", sa.String(length=16), nullable=False, server_default="live")
        )
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rollout", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Drop both columns (the audit log keeps every change of mode)."""
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_column("rollout")
    with op.batch_alter_table("purchase_orders", schema=None) as batch_op:
        batch_op.drop_column("rollout_mode")
