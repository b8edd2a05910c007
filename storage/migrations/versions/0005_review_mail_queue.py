"""Review by e-mailed link: a queue that keeps every e-mail until it is sent, which
waiting orders their approvers were told of, and the supplier's name on the order.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """An e-mail is written here before it is sent and stays until a server took it."""
    op.create_table(
        "mail_queue",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dedupe_key", sa.String(length=255), nullable=False),
        sa.Column("run_id", sa.String(length=32), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("recipient", sa.String(length=255), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("location", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_queue")),
        sa.UniqueConstraint("dedupe_key", name="uq_mail_queue_dedupe_key"),
    )
    op.create_index(op.f("ix_mail_queue_sent_at"), "mail_queue", ["sent_at"], unique=False)
    with op.batch_alter_table("purchase_orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("supplier_name", sa.String(length=255), nullable=True))
        batch_op.add_column(
            sa.Column("review_notified_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    """Drop the queue and the two order columns."""
    with op.batch_alter_table("purchase_orders", schema=None) as batch_op:
        batch_op.drop_column("review_notified_at")
        batch_op.drop_column("supplier_name")
    op.drop_index(op.f("ix_mail_queue_sent_at"), table_name="mail_queue")
    op.drop_table("mail_queue")
