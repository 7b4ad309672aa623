"""joint meetings: attendance, decisions and actions

Revision ID: d7e4d5e6f7a8
Revises: d7d3c4d5e6f7
Create Date: 2026-11-28 11:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import webapp.types
from tenants import rls

# revision identifiers, used by Alembic.
revision = 'd7e4d5e6f7a8'
down_revision = 'd7d3c4d5e6f7'
branch_labels = None
depends_on = None


TENANT_TABLES = ('meetings', 'meeting_attendance', 'meeting_decisions', 'meeting_actions')


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
    op.create_table('meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('mid_year', 'year_end', name='meetingkind', native_enum=False, length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=80), nullable=False),
    sa.Column('starts_at', webapp.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('place', sa.String(length=80), nullable=False),
    sa.Column('chair', sa.String(length=40), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', webapp.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finalised_at', webapp.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finalised_by_id', sa.Integer(), nullable=True),
    _fk('meetings', 'created_by_id', 'users'),
    _fk('meetings', 'finalised_by_id', 'users'),
    sa.UniqueConstraint('tenant_id', 'year', 'kind', name=op.f('uq_meetings_tenant_id_year_kind')),
    *_tenant('meetings'),
    )
    _index('meetings', 'tenant_id')

    op.create_table('meeting_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('village_id', sa.Integer(), nullable=True),
    sa.Column('present', sa.Boolean(), nullable=False),
    sa.Column('attendee', sa.String(length=40), nullable=False),
    _fk('meeting_attendance', 'meeting_id', 'meetings', ondelete='CASCADE'),
    _fk('meeting_attendance', 'department_id', 'departments'),
    _fk('meeting_attendance', 'village_id', 'villages'),
    sa.CheckConstraint('(department_id IS NULL) <> (village_id IS NULL)', name=op.f('ck_meeting_attendance_one_unit')),
    sa.UniqueConstraint('meeting_id', 'department_id', name=op.f('uq_meeting_attendance_meeting_id_department_id')),
    sa.UniqueConstraint('meeting_id', 'village_id', name=op.f('uq_meeting_attendance_meeting_id_village_id')),
    *_tenant('meeting_attendance'),
    )
    _index('meeting_attendance', 'meeting_id', 'tenant_id')

    op.create_table('meeting_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('village_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', webapp.types.UTCDateTime(timezone=True), nullable=False),
    _fk('meeting_decisions', 'meeting_id', 'meetings', ondelete='CASCADE'),
    _fk('meeting_decisions', 'department_id', 'departments'),
    _fk('meeting_decisions', 'village_id', 'villages'),
    _fk('meeting_decisions', 'created_by_id', 'users'),
    sa.CheckConstraint('department_id IS NULL OR village_id IS NULL', name=op.f('ck_meeting_decisions_one_unit')),
    sa.UniqueConstraint('meeting_id', 'position', name=op.f('uq_meeting_decisions_meeting_id_position')),
    *_tenant('meeting_decisions'),
    )
    _index('meeting_decisions', 'meeting_id', 'tenant_id')

    op.create_table('meeting_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('assign', 'escalate', 'deadline', name='actionkind', native_enum=False, length=20), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('target', sa.String(length=20), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', webapp.types.UTCDateTime(timezone=True), nullable=False),
    _fk('meeting_actions', 'decision_id', 'meeting_decisions', ondelete='CASCADE'),
    _fk('meeting_actions', 'case_id', 'cases'),
    _fk('meeting_actions', 'assignee_id', 'users'),
    _fk('meeting_actions', 'event_id', 'case_events'),
    _fk('meeting_actions', 'created_by_id', 'users'),
    *_tenant('meeting_actions'),
    )
    _index('meeting_actions', 'case_id', 'decision_id', 'tenant_id')

    for table in TENANT_TABLES:
        rls.enable(op, table)


def downgrade():
    for table in reversed(TENANT_TABLES):
        rls.disable(op, table)
        op.drop_table(table)
