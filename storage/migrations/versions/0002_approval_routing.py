"""Approval routing and decisions: routing outcome per order, one decision per person.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("purchase_orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("routing_tier", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("required_approvals", sa.Integer(), server_default="1", nullable=False)
        )
        batch_op.add_column(sa.Column("second_approver", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("deputy", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("decision_due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("escalation_stage", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("escalation_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_purchase_orders_decision_due_at"), ["decision_due_at"], unique=False
        )
    # A person decides an order at most once: the database, not the code, makes it
    # impossible to count one approver twice on an order that needs two approvals.
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            "uq_decisions_order_person", ["purchase_order_id", "decided_by"]
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_constraint("uq_decisions_order_person", type_="unique")
    with op.batch_alter_table("purchase_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_purchase_orders_decision_due_at"))
        batch_op.drop_column("escalation_at")
        batch_op.drop_column("escalation_stage")
        batch_op.drop_column("decision_due_at")
        batch_op.drop_column("deputy")
        batch_op.drop_column("second_approver")
        batch_op.drop_column("required_approvals")
        batch_op.drop_column("routing_tier")
