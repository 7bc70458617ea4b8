"""the language each subscriber reads its alerts in (zh, en or both; issue 14)

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # server_default: every existing subscriber keeps the Chinese alerts it has been getting
    with op.batch_alter_table("subscribers") as batch_op:
        batch_op.add_column(sa.Column("lang", sa.String(8), nullable=False, server_default="zh"))


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN (SQLite >= 3.35): a batch re-create would drop ``subscribers``, which
    # deliveries reference.
    op.drop_column("subscribers", "lang")
