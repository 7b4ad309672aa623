"""rosters and per-case pay

Revision ID: d7d3c4d5e6f7
Revises: d7c2b3c4d5e6
Create Date: 2026-11-28 11:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import webapp.types
from tenants import rls

# revision identifiers, used by Alembic.
revision = 'd7d3c4d5e6f7'
down_revision = 'd7c2b3c4d5e6'
branch_labels = None
depends_on = None

TENANT_TABLES = ('roster_entries', 'pay_rates')

_KIND = sa.Enum('mediator', 'officer', name='staffkind', native_enum=False, length=20)
_EMPLOYMENT = sa.Enum('full_time', 'part_time', name='employment', native_enum=False, length=20)


def upgrade():
    op.create_table('roster_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('kind', _KIND, nullable=False),
    sa.Column('employment', _EMPLOYMENT, nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=True),
    sa.Column('phone', sa.Text(), nullable=True),
    sa.Column('active_from', sa.Date(), nullable=False),
    sa.Column('active_to', sa.Date(), nullable=True),
    sa.Column('starts_at', webapp.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', webapp.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', webapp.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('active_to IS NULL OR active_to >= active_from', name=op.f('ck_roster_entries_period_in_order')),
    sa.CheckConstraint("name <> ''", name=op.f('ck_roster_entries_name_not_empty')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_roster_entries_tenant_id_tenants')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_roster_entries_user_id_users')),
    sa.ForeignKeyConstraint(['village_id'], ['villages.id'], name=op.f('fk_roster_entries_village_id_villages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_entries'))
    )
    with op.batch_alter_table('roster_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_entries_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roster_entries_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roster_entries_village_id'), ['village_id'], unique=False)

    op.create_table('pay_rates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', _KIND, nullable=False),
    sa.Column('employment', _EMPLOYMENT, nullable=False),
    sa.Column('difficulty', sa.Enum('ordinary', 'complex', 'major', name='difficulty', native_enum=False, length=20), nullable=False),
    sa.Column('outcome', sa.Enum('resolved', 'referral_resolved', 'failed', name='outcome', native_enum=False, length=24), nullable=False),
    sa.Column('amount', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('starts_at', webapp.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('set_at', webapp.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_pay_rates_amount_not_negative')),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_pay_rates_set_by_id_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_pay_rates_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pay_rates')),
    sa.UniqueConstraint('tenant_id', 'kind', 'employment', 'difficulty', 'outcome', 'valid_from',
                        name=op.f('uq_pay_rates_tenant_id_kind_employment_difficulty_outcome_valid_from'))
    )
    with op.batch_alter_table('pay_rates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pay_rates_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pay_rates_valid_from'), ['valid_from'], unique=False)

    # The monthly report: one township's outcome transitions in a month.
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.create_index('ix_case_events_outcomes', ['tenant_id', 'to_state', 'at'], unique=False)

    for table in TENANT_TABLES:
        rls.enable(op, table)


def downgrade():
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.drop_index('ix_case_events_outcomes')
    for table in TENANT_TABLES:
        rls.disable(op, table)
    op.drop_table('pay_rates')
    op.drop_table('roster_entries')
