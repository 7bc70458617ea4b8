"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 10:24:43.099037
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('crawl_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trigger', sa.String(length=32), nullable=False),
    sa.Column('mirror_url', sa.String(length=512), nullable=True),
    sa.Column('started_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('sources',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('agency', sa.String(length=128), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=True),
    sa.Column('consecutive_failures', sa.Integer(), nullable=False),
    sa.Column('last_run_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_success_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('url', sa.String(length=1024), nullable=False),
    sa.Column('site_id', sa.String(length=128), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('doc_number', sa.String(length=128), nullable=True),
    sa.Column('doc_number_key', sa.String(length=128), nullable=True),
    sa.Column('agencies', sa.JSON(), nullable=False),
    sa.Column('issue_date', sa.Date(), nullable=True),
    sa.Column('publish_date', sa.Date(), nullable=True),
    sa.Column('effective_date', sa.Date(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=True),
    sa.Column('relevance', sa.Float(), nullable=True),
    sa.Column('relevant', sa.Boolean(), nullable=True),
    sa.Column('site_published_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('site_modified_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('http_etag', sa.String(length=256), nullable=True),
    sa.Column('http_last_modified', sa.String(length=64), nullable=True),
    sa.Column('first_seen_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_changed_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['source'], ['sources.name'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source', 'site_id', name='uq_notices_source_site_id'),
    sa.UniqueConstraint('url')
    )
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.create_index('ix_notices_doc_number_key', ['doc_number_key'], unique=False)
        batch_op.create_index('ix_notices_publish_date', ['publish_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_source'), ['source'], unique=False)

    op.create_table('source_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('crawl_run_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('started_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('requests', sa.Integer(), nullable=False),
    sa.Column('list_requests', sa.Integer(), nullable=False),
    sa.Column('detail_requests', sa.Integer(), nullable=False),
    sa.Column('bytes', sa.Integer(), nullable=False),
    sa.Column('items', sa.Integer(), nullable=False),
    sa.Column('new_notices', sa.Integer(), nullable=False),
    sa.Column('revised_notices', sa.Integer(), nullable=False),
    sa.Column('unchanged_notices', sa.Integer(), nullable=False),
    sa.Column('errors', sa.JSON(), nullable=False),
    sa.Column('error_samples', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['crawl_run_id'], ['crawl_runs.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source'], ['sources.name'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('notice_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('raw_html', sa.LargeBinary(), nullable=True),
    sa.Column('raw_encoding', sa.String(length=32), nullable=True),
    sa.Column('page_meta', sa.JSON(), nullable=False),
    sa.Column('extraction', sa.JSON(), nullable=True),
    sa.Column('extractor_version', sa.String(length=32), nullable=True),
    sa.Column('fetched_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('notice_id', 'content_hash', name='uq_versions_notice_hash'),
    sa.UniqueConstraint('notice_id', 'number', name='uq_versions_notice_number')
    )
    with op.batch_alter_table('notice_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_versions_notice_id'), ['notice_id'], unique=False)

    op.create_table('facts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=256), nullable=False),
    sa.Column('value', sa.String(length=256), nullable=True),
    sa.Column('unit', sa.String(length=32), nullable=True),
    sa.Column('province', sa.String(length=64), nullable=True),
    sa.Column('adcode', sa.String(length=12), nullable=True),
    sa.ForeignKeyConstraint(['version_id'], ['notice_versions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('facts', schema=None) as batch_op:
        batch_op.create_index('ix_facts_kind_name', ['kind', 'name'], unique=False)
        batch_op.create_index(batch_op.f('ix_facts_version_id'), ['version_id'], unique=False)

    


def downgrade() -> None:
    
    with op.batch_alter_table('facts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_facts_version_id'))
        batch_op.drop_index('ix_facts_kind_name')

    op.drop_table('facts')
    with op.batch_alter_table('notice_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_versions_notice_id'))

    op.drop_table('notice_versions')
    op.drop_table('source_runs')
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notices_source'))
        batch_op.drop_index('ix_notices_publish_date')
        batch_op.drop_index('ix_notices_doc_number_key')

    op.drop_table('notices')
    op.drop_table('sources')
    op.drop_table('crawl_runs')
    
