"""index the places each notice names, for filtering notices by city, province or adcode

Finding the notices of a city through ``facts`` joins every version's facts and then has to pick
each notice's current version; ``notice_places`` holds the places of the current version only, one
row per notice and place. The table is filled here from the stored facts, so an upgraded database
answers ``cbecwatch notices --city`` at once, without a reparse.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Frozen copy of storage.places.places_from_facts, as SQL: the place facts of each notice's current
# version (the newest when a notice predates 0006's current_version), the first fact of a role and
# name winning. ROW_NUMBER works on SQLite >= 3.25 and on PostgreSQL alike.
BACKFILL = """
INSERT INTO notice_places (notice_id, name, province, adcode, role)
SELECT notice_id, name, province, adcode, role FROM (
    SELECT v.notice_id AS notice_id, f.name AS name, f.province AS province, f.adcode AS adcode,
           CASE f.kind WHEN 'city' THEN 'designated' ELSE 'removed' END AS role,
           ROW_NUMBER() OVER (PARTITION BY v.notice_id, f.kind, f.name ORDER BY f.position, f.id) AS nth
    FROM facts f
    JOIN notice_versions v ON v.id = f.version_id
    JOIN notices n ON n.id = v.notice_id
    WHERE f.kind IN ('city', 'removed_city') AND f.name <> ''
      AND v.number = COALESCE(n.current_version,
                              (SELECT MAX(w.number) FROM notice_versions w WHERE w.notice_id = n.id))
) AS place_facts
WHERE nth = 1
"""


def upgrade() -> None:
    op.create_table(
        "notice_places",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("province", sa.String(length=64), nullable=True),
        sa.Column("adcode", sa.String(length=12), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["notice_id"], ["notices.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("notice_id", "role", "name", name="uq_notice_places_notice_role_name"),
    )
    with op.batch_alter_table("notice_places") as batch_op:
        batch_op.create_index("ix_notice_places_name", ["name", "notice_id"], unique=False)
        batch_op.create_index("ix_notice_places_province", ["province", "notice_id"], unique=False)
        batch_op.create_index("ix_notice_places_adcode", ["adcode", "notice_id"], unique=False)
    op.execute(BACKFILL)


def downgrade() -> None:
    with op.batch_alter_table("notice_places") as batch_op:
        batch_op.drop_index("ix_notice_places_adcode")
        batch_op.drop_index("ix_notice_places_province")
        batch_op.drop_index("ix_notice_places_name")
    op.drop_table("notice_places")
