"""second factor and a tamper-evident, retained audit log

Revision ID: f9a1b2c3d4e5
Revises: a9c1d2e3f4a5
Create Date: 2026-12-04 23:10:00.000000

Users' second factors and recovery codes belong to the user, not a township: no tenant column
and no row-level security. The audit log stays one table for the whole county with one chain
(webapp/audit.py): every entry carries an HMAC over its content and the previous entry's hash.
Entries written before this revision are left as they were (no hash): the chain starts at the
first entry written after it. Nothing deletes an entry younger than 180 days: a trigger refuses
it on both databases; on PostgreSQL the app role, which may not DELETE audit rows, moves the
archived ones out through ``audit_delete_archived``, which runs as the table's owner.
A county names the roles that must use a second factor (``counties.two_factor_roles``); the
counties that exist already require none until their admin says so.
"""
import sqlalchemy as sa
from alembic import op

import webapp.types

# revision identifiers, used by Alembic.
revision = 'f9a1b2c3d4e5'
down_revision = 'a9c1d2e3f4a5'
branch_labels = None
depends_on = None

KEEP_DAYS = 180

PG_KEEP = f"""
CREATE FUNCTION audit_events_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.at > now() - interval '{KEEP_DAYS} days' THEN
        RAISE EXCEPTION 'audit entry % is younger than {KEEP_DAYS} days and is kept', OLD.id;
    END IF;
    RETURN OLD;
END $$;
CREATE TRIGGER audit_events_keep BEFORE DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_keep();
CREATE FUNCTION audit_delete_archived(upto integer, before timestamptz) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE gone integer;
BEGIN
    DELETE FROM audit_events WHERE id <= upto AND at < before;
    GET DIAGNOSTICS gone = ROW_COUNT;
    RETURN gone;
END $$;
"""

SQLITE_KEEP = f"""
CREATE TRIGGER audit_events_keep BEFORE DELETE ON audit_events
WHEN OLD.at > datetime('now', '-{KEEP_DAYS} days')
BEGIN SELECT RAISE(ABORT, 'audit entries younger than {KEEP_DAYS} days are kept'); END
"""


def upgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('entry_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('algorithm', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('key_id', sa.String(length=16), nullable=True))
    op.create_table('audit_chain',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('last_id', sa.Integer(), nullable=True),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain'))
    )
    op.execute("INSERT INTO audit_chain (id, last_id, last_hash) VALUES (1, NULL, '')")
    with op.batch_alter_table('counties', schema=None) as batch_op:
        batch_op.add_column(sa.Column('two_factor_roles', sa.String(length=120), nullable=False,
                                      server_default=''))
    op.create_table('user_second_factors',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('secret', sa.Text(), nullable=False),
    sa.Column('last_step', sa.BigInteger(), nullable=True),
    sa.Column('created_at', webapp.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', webapp.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_second_factors_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_user_second_factors'))
    )
    op.create_table('recovery_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('used_at', webapp.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes')),
    sa.UniqueConstraint('user_id', 'code_hash', name=op.f('uq_recovery_codes_user_id'))
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(PG_KEEP)
    else:
        op.execute(SQLITE_KEEP)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP FUNCTION audit_delete_archived(integer, timestamptz)")
        op.execute("DROP TRIGGER audit_events_keep ON audit_events")
        op.execute("DROP FUNCTION audit_events_keep()")
    else:
        op.execute("DROP TRIGGER audit_events_keep")
    op.drop_table('recovery_codes')
    op.drop_table('user_second_factors')
    with op.batch_alter_table('counties', schema=None) as batch_op:
        batch_op.drop_column('two_factor_roles')
    op.drop_table('audit_chain')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_column('key_id')
        batch_op.drop_column('algorithm')
        batch_op.drop_column('entry_hash')
        batch_op.drop_column('prev_hash')
