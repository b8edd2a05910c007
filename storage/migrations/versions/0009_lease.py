"""Leases: a run says it is alive until `runs.lease_until` and the SQLite run lock until
`run_locks.expires_at`, both renewed while the run works; a run whose lease ran out is
dead (killed, out of memory, its machine gone) and is marked `crashed` by whoever finds
it (issue 24). An alert about a flow run that never reached `runs` is still recorded as
sent: `notifications.run_id` may be empty.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nullable leases: runs and locks written before them have none (read as a day from
    their start, as before)."""
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("run_locks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.alter_column("run_id", existing_type=sa.String(32), nullable=True)


def downgrade() -> None:
    """Drop the leases; alerts sent without a run are dropped from the ledger first."""
    op.execute("DELETE FROM notifications WHERE run_id IS NULL")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.alter_column("run_id", existing_type=sa.String(32), nullable=False)
    with op.batch_alter_table("run_locks", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_column("lease_until")
