"""count off-site answers and cut texts per source run; remember when a quiet source was announced

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("source_runs") as batch_op:
        batch_op.add_column(sa.Column("offsite", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("truncated", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("sources") as batch_op:
        batch_op.add_column(sa.Column("quiet_announced_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch_op:
        batch_op.drop_column("quiet_announced_at")
    with op.batch_alter_table("source_runs") as batch_op:
        batch_op.drop_column("truncated")
        batch_op.drop_column("offsite")
