"""supervision across levels: reports up with instructions, assignments and notices down

Revision ID: c7a1b2c3d4e5
Revises: f9a1b2c3d4e5
Create Date: 2026-12-04 23:10:00.000000

An escalation made by a person's 上报 keeps the report's text and who sent it; the level it
went to answers with an instruction (批示). The county's assignments (交办) and supervision
notices (督办函, 预警函) are tables owned by the township they were sent to.
"""
import sqlalchemy as sa
from alembic import op

import webapp.types
from tenants import rls

# revision identifiers, used by Alembic.
revision = 'c7a1b2c3d4e5'
down_revision = 'f9a1b2c3d4e5'
branch_labels = None
depends_on = None

TENANT_TABLES = ('assignments', 'supervision_notices')


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
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('raised_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('instruction', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('instructed_at', webapp.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('instructed_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_escalations_raised_by_id_users'), 'users', ['raised_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_escalations_instructed_by_id_users'), 'users',
                                    ['instructed_by_id'], ['id'])

    op.create_table('assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('parties', sa.Text(), nullable=False),
    sa.Column('narrative', sa.Text(), nullable=False),
    sa.Column('source', sa.Enum('hotline', 'petition', 'higher', name='assignmentsource', native_enum=False,
                                length=20), nullable=False),
    sa.Column('take_up_by', webapp.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('warn_at', webapp.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('settle_by', webapp.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', webapp.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('taken_up_at', webapp.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('taken_up_by_id', sa.Integer(), nullable=True),
    sa.Column('warned', sa.Boolean(), nullable=False),
    sa.Column('late_flagged', sa.Boolean(), nullable=False),
    _fk('assignments', 'created_by_id', 'users'),
    _fk('assignments', 'taken_up_by_id', 'users'),
    _fk('assignments', 'case_id', 'cases'),
    sa.UniqueConstraint('case_id', name=op.f('uq_assignments_case_id')),
    *_tenant('assignments'),
    )
    _index('assignments', 'tenant_id', 'take_up_by')

    op.create_table('supervision_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('supervision', 'warning', name='noticekind', native_enum=False, length=20),
              nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=120), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('answer_by', sa.Date(), nullable=False),
    sa.Column('answer_due_at', webapp.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', webapp.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('answered_at', webapp.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('late_flagged', sa.Boolean(), nullable=False),
    _fk('supervision_notices', 'case_id', 'cases'),
    _fk('supervision_notices', 'created_by_id', 'users'),
    _fk('supervision_notices', 'answered_by_id', 'users'),
    *_tenant('supervision_notices'),
    )
    _index('supervision_notices', 'tenant_id', 'case_id', 'answer_due_at')

    for table in TENANT_TABLES:
        rls.enable(op, table)


def downgrade():
    for table in reversed(TENANT_TABLES):
        rls.disable(op, table)
        op.drop_table(table)
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_escalations_instructed_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_escalations_raised_by_id_users'), type_='foreignkey')
        for column in ('instructed_by_id', 'instructed_at', 'instruction', 'raised_by_id', 'note'):
            batch_op.drop_column(column)
