"""backups: the record of each backup run

Revision ID: f3b1a2c4d5e6
Revises: e1a2c3d4e5f6
Create Date: 2026-12-04 21:00:00.000000

The county's, not a township's: no tenant column and no row-level security
(webapp/backup/models.py).
"""
import sqlalchemy as sa
from alembic import op

import webapp.types

# revision identifiers, used by Alembic.
revision = 'f3b1a2c4d5e6'
down_revision = 'e1a2c3d4e5f6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('backup_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('started_at', webapp.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', webapp.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('name', sa.String(length=80), nullable=True),
    sa.Column('size', sa.BigInteger(), nullable=True),
    sa.Column('error', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_backup_runs')),
    sa.UniqueConstraint('key', name=op.f('uq_backup_runs_key'))
    )
    with op.batch_alter_table('backup_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_backup_runs_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_backup_runs_finished_at'), ['finished_at'], unique=False)


def downgrade():
    with op.batch_alter_table('backup_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_backup_runs_finished_at'))
        batch_op.drop_index(batch_op.f('ix_backup_runs_status'))
    op.drop_table('backup_runs')
