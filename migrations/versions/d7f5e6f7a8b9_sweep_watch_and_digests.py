"""sweep: the watch list in a narrow table of its own, and one notification per person and sweep

Revision ID: d7f5e6f7a8b9
Revises: d7e4d5e6f7a8
Create Date: 2026-11-28 14:30:00.000000

``cases.next_alert_at`` moves to ``case_watch``. The sweep moves that moment for every case
it looks at; on PostgreSQL, updating it in the wide cases row (sixteen indexes, one of them
covering the figures) cost about 90 µs per case, so that a catch-up over 100,000 due cases
spent 9 s there alone (bench/sweep.py); in the narrow table it costs about 5 µs.

``notifications.case_ids`` lists the cases a notification is about: the sweep now tells
each person once per sweep and kind of alert, however many cases it concerns.
"""
from alembic import op
import sqlalchemy as sa

import webapp.types
from tenants import rls

# revision identifiers, used by Alembic.
revision = 'd7f5e6f7a8b9'
down_revision = 'd7e4d5e6f7a8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'case_watch',
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('next_at', webapp.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_watch_case_id_cases'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_case_watch_tenant_id_tenants')),
        sa.PrimaryKeyConstraint('case_id', name=op.f('pk_case_watch')),
    )
    with op.batch_alter_table('case_watch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_watch_next_at'), ['next_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_watch_tenant_id'), ['tenant_id'], unique=False)
    rls.enable(op, 'case_watch')
    op.execute("INSERT INTO case_watch (case_id, tenant_id, next_at) "
               "SELECT id, tenant_id, next_alert_at FROM cases WHERE next_alert_at IS NOT NULL")
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_next_alert_at'))
        batch_op.drop_column('next_alert_at')

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_ids', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('case_ids')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_alert_at', webapp.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_cases_next_alert_at'), ['next_alert_at'], unique=False)
    op.execute("UPDATE cases SET next_alert_at = "
               "(SELECT next_at FROM case_watch WHERE case_watch.case_id = cases.id)")
    rls.disable(op, 'case_watch')
    op.drop_table('case_watch')
