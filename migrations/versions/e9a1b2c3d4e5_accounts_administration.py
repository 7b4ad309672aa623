"""accounts: password history and age, one-time passwords, session devices, county security,
townships that can be closed

Revision ID: e9a1b2c3d4e5
Revises: a0c1d2e3f4a5
Create Date: 2026-12-04 23:10:00.000000

None of the new tables is a township's (users, counties): no tenant column and no row-level
security.
"""
import sqlalchemy as sa
from alembic import op

import webapp.types

# revision identifiers, used by Alembic.
revision = 'e9a1b2c3d4e5'
down_revision = 'a0c1d2e3f4a5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('password_changed_at', webapp.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.add_column(sa.Column('one_time_password_expires_at', webapp.types.UTCDateTime(timezone=True),
                                      nullable=True))
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_agent', sa.String(length=255), nullable=True))
    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.create_table('password_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('created_at', webapp.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_password_history_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_history'))
    )
    with op.batch_alter_table('password_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_history_user_id'), ['user_id'], unique=False)
    op.create_table('county_security',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('password_max_age_days', sa.Integer(), nullable=True),
    sa.Column('updated_at', webapp.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['county_id'], ['counties.id'], name=op.f('fk_county_security_county_id_counties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_county_security')),
    sa.UniqueConstraint('county_id', name=op.f('uq_county_security_county_id'))
    )


def downgrade():
    op.drop_table('county_security')
    with op.batch_alter_table('password_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_history_user_id'))
    op.drop_table('password_history')
    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.drop_column('active')
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_column('user_agent')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('one_time_password_expires_at')
        batch_op.drop_column('must_change_password')
        batch_op.drop_column('password_changed_at')
