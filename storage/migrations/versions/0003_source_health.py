"""source health: incremental-crawl counts per source run, list-page validators per source

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("source_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("known_items", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("not_modified", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("list_validators", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_column("list_validators")
    with op.batch_alter_table("source_runs", schema=None) as batch_op:
        batch_op.drop_column("not_modified")
        batch_op.drop_column("known_items")
