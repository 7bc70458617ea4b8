"""pilot-zone registry seeded from shipped data: rows without a crawled notice, their origin and doubt

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A shipped zone exists before any notice confirms it, so notice_id may be empty.
    with op.batch_alter_table("pilot_zones") as batch_op:
        batch_op.alter_column("notice_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("origin", sa.String(length=16), nullable=False, server_default="crawled"))
        batch_op.add_column(sa.Column("unverified", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    # The registry is derived data: shipped rows (no notice) are dropped; a crawl rebuilds the rest.
    # (Batch mode copies pilot_zones on SQLite; no table references it, so the copy is safe.)
    op.execute("DELETE FROM pilot_zones WHERE notice_id IS NULL")
    with op.batch_alter_table("pilot_zones") as batch_op:
        batch_op.drop_column("unverified")
        batch_op.drop_column("origin")
        batch_op.alter_column("notice_id", existing_type=sa.Integer(), nullable=False)
