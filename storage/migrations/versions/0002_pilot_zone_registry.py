"""pilot zone registry

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 10:43:15.074126
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('pilot_zones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('province', sa.String(length=64), nullable=True),
    sa.Column('adcode', sa.String(length=12), nullable=True),
    sa.Column('batch', sa.Integer(), nullable=False),
    sa.Column('doc_number', sa.String(length=128), nullable=True),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('added_on', sa.Date(), nullable=True),
    sa.Column('removed_on', sa.Date(), nullable=True),
    sa.Column('removed_by_notice_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['removed_by_notice_id'], ['notices.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('pilot_zones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pilot_zones_adcode'), ['adcode'], unique=False)
        batch_op.create_index(batch_op.f('ix_pilot_zones_program'), ['program'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('pilot_zones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pilot_zones_program'))
        batch_op.drop_index(batch_op.f('ix_pilot_zones_adcode'))

    op.drop_table('pilot_zones')

