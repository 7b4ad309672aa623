"""investigation rounds, key-person visits, owners of joint-meeting decisions

Revision ID: d8a1b2c3d4e5
Revises: e9a1b2c3d4e5
Create Date: 2026-12-04 23:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import webapp.types
from tenants import rls

# revision identifiers, used by Alembic.
revision = 'd8a1b2c3d4e5'
down_revision = 'e9a1b2c3d4e5'
branch_labels = None
depends_on = None


TENANT_TABLES = ('investigation_rounds', 'investigation_reports', 'key_person_visits')


def _fk(table, column, referred, ondelete=None):
    return sa.ForeignKeyConstraint([column], [f'{referred}.id'], name=op.f(f'fk_{table}_{column}_{referred}'),
                                   ondelete=ondelete)


def _tenant(table):
    return [sa.Column('tenant_id', sa.Integer(), nullable=False), _fk(table, 'tenant_id', 'tenants'),
            sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}'))]


def _index(table, *columns):
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f'ix_{table}_{column}'), [column], unique=False)


def upgrade():
    op.create_table('investigation_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('monthly', 'special', name='roundkind', native_enum=False, length=12), nullable=False),
    sa.Column('title', sa.String(length=80), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', webapp.types.UTCDateTime(timezone=True), nullable=False),
    _fk('investigation_rounds', 'opened_by_id', 'users'),
    *_tenant('investigation_rounds'),
    )
    _index('investigation_rounds', 'due_on', 'tenant_id')

    op.create_table('investigation_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('reported_by_id', sa.Integer(), nullable=True),
    sa.Column('reported_at', webapp.types.UTCDateTime(timezone=True), nullable=False),
    _fk('investigation_reports', 'round_id', 'investigation_rounds', ondelete='CASCADE'),
    _fk('investigation_reports', 'village_id', 'villages'),
    _fk('investigation_reports', 'case_id', 'cases'),
    _fk('investigation_reports', 'reported_by_id', 'users'),
    *_tenant('investigation_reports'),
    )
    _index('investigation_reports', 'round_id', 'village_id', 'tenant_id')

    op.create_table('key_person_visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_person_id', sa.Integer(), nullable=False),
    sa.Column('visited_on', sa.Date(), nullable=False),
    sa.Column('visitors', sa.String(length=80), nullable=False),
    sa.Column('done', sa.Text(), nullable=False),
    sa.Column('next_due_on', sa.Date(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', webapp.types.UTCDateTime(timezone=True), nullable=False),
    _fk('key_person_visits', 'key_person_id', 'key_persons', ondelete='CASCADE'),
    _fk('key_person_visits', 'recorded_by_id', 'users'),
    *_tenant('key_person_visits'),
    )
    _index('key_person_visits', 'key_person_id', 'next_due_on', 'tenant_id')

    with op.batch_alter_table('meeting_decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('done_at', webapp.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('done_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_meeting_decisions_owner_id_users'), 'users', ['owner_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_meeting_decisions_done_by_id_users'), 'users', ['done_by_id'],
                                    ['id'])

    for table in TENANT_TABLES:
        rls.enable(op, table)


def downgrade():
    with op.batch_alter_table('meeting_decisions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_meeting_decisions_done_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_meeting_decisions_owner_id_users'), type_='foreignkey')
        batch_op.drop_column('done_by_id')
        batch_op.drop_column('done_at')
        batch_op.drop_column('owner_id')
    for table in reversed(TENANT_TABLES):
        rls.disable(op, table)
        op.drop_table(table)
