"""index notices by kind and publication date

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notices") as batch_op:
        batch_op.create_index("ix_notices_kind_publish", ["kind", "publish_date", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notices") as batch_op:
        batch_op.drop_index("ix_notices_kind_publish")
