"""documents: the copies of one document crawled from several sources become one document

Creates ``documents`` and ``notices.document_id``, then merges what is stored: every notice, oldest
first, is attached to a document by the rules of ``storage.documents`` (number and issuer; title and
date; near-identical text of the same day), so 财关税〔2018〕49号 stored by four sources becomes one
document with four copies. Event keys that named a page (``notice:ID``) or a number (``doc:KEY``) are
rewritten to name the document, so a copy crawled after the upgrade is not announced again.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_NOTICES = sa.table("notices", sa.column("id", sa.Integer), sa.column("url", sa.String),
                    sa.column("title", sa.Text), sa.column("doc_number", sa.String),
                    sa.column("doc_number_key", sa.String), sa.column("agencies", sa.JSON),
                    sa.column("publish_date", sa.Date), sa.column("first_seen_at", UTCDateTime()),
                    sa.column("current_version", sa.Integer), sa.column("document_id", sa.Integer))
_VERSIONS = sa.table("notice_versions", sa.column("notice_id", sa.Integer), sa.column("number", sa.Integer),
                     sa.column("text", sa.Text))
_EVENTS = sa.table("events", sa.column("id", sa.Integer), sa.column("kind", sa.String),
                   sa.column("dedup_key", sa.String), sa.column("notice_id", sa.Integer))


def _merge(conn: sa.Connection) -> dict[int, tuple[int, str | None]]:
    from storage.documents import document_for, identity_of

    # The page each notice shows: current_version, else the newest (a notice older than 0006) — which
    # is what current_version means when empty (storage.notices.shown_number), so it is filled in.
    other = _VERSIONS.alias("other")
    newest = (sa.select(sa.func.max(other.c.number)).where(other.c.notice_id == _NOTICES.c.id)
              .correlate(_NOTICES).scalar_subquery())
    conn.execute(_NOTICES.update().where(_NOTICES.c.current_version.is_(None)).values(current_version=newest))
    shown_text = (sa.select(_VERSIONS.c.text).where(_VERSIONS.c.notice_id == _NOTICES.c.id,
                                                    _VERSIONS.c.number == _NOTICES.c.current_version)
                  .correlate(_NOTICES).scalar_subquery())
    rows = conn.execute(sa.select(_NOTICES, shown_text.label("text")).order_by(_NOTICES.c.id)).mappings().all()
    assigned: dict[int, tuple[int, str | None]] = {}
    for row in rows:
        identity = identity_of(doc_number=row["doc_number"], agencies=row["agencies"] or [], title=row["title"],
                               publish_date=row["publish_date"], url=row["url"])
        document_id = document_for(conn, identity, publish_date=row["publish_date"], text=row["text"] or "",
                                   first_seen_at=row["first_seen_at"], exclude_notice=row["id"])
        conn.execute(_NOTICES.update().where(_NOTICES.c.id == row["id"]).values(document_id=document_id))
        assigned[row["id"]] = (document_id, row["doc_number_key"])
    return assigned


def _rekey_events(conn: sa.Connection, assigned: dict[int, tuple[int, str | None]]) -> None:
    """``<kind>:doc:<number>…`` / ``<kind>:notice:<id>…`` -> ``<kind>:document:<id>…`` where the new key
    is free (two copies' events merged into one key: the older keeps it, the other keeps its old key)."""
    taken = set(conn.execute(sa.select(_EVENTS.c.dedup_key)).scalars())
    events = conn.execute(sa.select(_EVENTS.c.id, _EVENTS.c.kind, _EVENTS.c.dedup_key, _EVENTS.c.notice_id)
                          .where(_EVENTS.c.notice_id.is_not(None)).order_by(_EVENTS.c.id)).all()
    for event_id, kind, key, notice_id in events:
        if notice_id not in assigned:
            continue
        document_id, number_key = assigned[notice_id]
        for old in ([f"{kind}:doc:{number_key}"] if number_key else []) + [f"{kind}:notice:{notice_id}"]:
            if key == old or key.startswith(old + ":"):
                new = f"{kind}:document:{document_id}" + key[len(old):]
                if new not in taken:
                    taken.add(new)
                    conn.execute(_EVENTS.update().where(_EVENTS.c.id == event_id).values(dedup_key=new[:400]))
                break


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=512), nullable=False),
        sa.Column("key_kind", sa.String(length=16), nullable=False),
        sa.Column("first_seen_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key", name="uq_documents_key"),
    )
    # A plain ADD COLUMN, not batch mode: a batch copy of ``notices`` on SQLite would drop the table
    # that versions, events and places reference (ON DELETE CASCADE). SQLite accepts a REFERENCES
    # clause on an added column; Alembic's add_column refuses to write one, hence the SQL.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE notices ADD COLUMN document_id INTEGER REFERENCES documents (id)")
    else:
        op.add_column("notices", sa.Column("document_id", sa.Integer(), nullable=True))
        op.create_foreign_key("fk_notices_document_id", "notices", "documents", ["document_id"], ["id"])
    op.create_index("ix_notices_document_id", "notices", ["document_id"], unique=False)
    conn = op.get_bind()
    _rekey_events(conn, _merge(conn))


def downgrade() -> None:
    # Event keys stay in the document form: they still dedupe (nothing stored after the downgrade
    # matches them, so a copy may be announced once more — the safe direction).
    op.drop_index("ix_notices_document_id", table_name="notices")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE notices DROP COLUMN document_id")  # SQLite >= 3.35; no batch copy (see above)
    else:
        op.drop_constraint("fk_notices_document_id", "notices", type_="foreignkey")
        op.drop_column("notices", "document_id")
    op.drop_table("documents")
