"""remember which process (pid, host) runs each crawl run, so that a restarted daemon can close the
runs of a dead one as abandoned

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("crawl_runs") as batch_op:
        batch_op.add_column(sa.Column("pid", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("host", sa.String(255), nullable=True))


def downgrade() -> None:
    op.drop_column("crawl_runs", "host")
    op.drop_column("crawl_runs", "pid")
