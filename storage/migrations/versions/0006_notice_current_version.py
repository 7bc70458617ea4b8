"""remember which version a notice's page shows now

A page can go back to an earlier text; comparing each fetch with the newest row instead of the
shown one reported the same revert as a revision on every later crawl.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notices") as batch_op:
        batch_op.add_column(sa.Column("current_version", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE notices SET current_version = "
        "(SELECT MAX(v.number) FROM notice_versions v WHERE v.notice_id = notices.id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("notices") as batch_op:
        batch_op.drop_column("current_version")
