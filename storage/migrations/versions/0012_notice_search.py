"""full-text search index over notice texts (jieba-segmented; FTS5 on SQLite, tsvector on PostgreSQL)

One row per notice for the version its page shows, written by ``storage.search`` (see there for the
segmentation). Filled here for every stored notice, so an upgraded database answers ``cbecwatch
search`` at once. The backfill segments in Python: the segmentation *is* the index, and no SQL can do
it. A database without notices loads no jieba.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from alembic import op
from sqlalchemy.orm import Session

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("CREATE TABLE notice_search (notice_id INTEGER PRIMARY KEY "
                   "REFERENCES notices (id) ON DELETE CASCADE, document TSVECTOR NOT NULL)")
        op.execute("CREATE INDEX ix_notice_search_document ON notice_search USING GIN (document)")
    else:
        # unicode61 splits on the spaces put between jieba's words and folds case; nothing else.
        op.execute("CREATE VIRTUAL TABLE notice_search USING fts5(title, body, tokenize = 'unicode61')")
        # A virtual table has no foreign key: the trigger is the ON DELETE CASCADE.
        op.execute("CREATE TRIGGER notice_search_delete AFTER DELETE ON notices BEGIN "
                   "DELETE FROM notice_search WHERE rowid = old.id; END")
    from storage.search import rebuild_index

    with Session(bind=bind) as session:  # joins the migration's transaction; commits nothing itself
        rebuild_index(session)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TRIGGER IF EXISTS notice_search_delete")
    op.execute("DROP TABLE notice_search")
