"""parties: keyed hashes of ID number and phone; cases registered as related

Revision ID: b9a1c3e5d7f0
Revises: d8a1b2c3d4e5
Create Date: 2026-12-04 23:00:00.000000

Intake shows the likely duplicates of a new dispute (same ID number, same phone, or same name
in the same village) before saving. The ID number and phone are stored encrypted, so beside
them lies a keyed hash of each, normalised (webapp.personal_data.lookup_hash), indexed with the
township. The hashes of the parties already stored are computed here with the app's DATA_KEY
(the migration runs inside the app, as ``flask db upgrade``); offline (``--sql``) they cannot
be, and ``flask parties rehash`` computes them afterwards.

``case_relations``: a new dispute linked to an earlier case of the same party.
"""
import logging

import sqlalchemy as sa
from alembic import context, op

import webapp.types
from tenants import rls

# revision identifiers, used by Alembic.
revision = 'b9a1c3e5d7f0'
down_revision = 'd8a1b2c3d4e5'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def upgrade():
    with op.batch_alter_table('parties', schema=None) as batch_op:
        batch_op.add_column(sa.Column('id_number_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('phone_hash', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_parties_tenant_id_number_hash', ['tenant_id', 'id_number_hash'], unique=False)
        batch_op.create_index('ix_parties_tenant_phone_hash', ['tenant_id', 'phone_hash'], unique=False)

    op.create_table(
        'case_relations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('related_case_id', sa.Integer(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', webapp.types.UTCDateTime(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.CheckConstraint('case_id <> related_case_id', name=op.f('ck_case_relations_not_itself')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_relations_case_id_cases'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['related_case_id'], ['cases.id'],
                                name=op.f('fk_case_relations_related_case_id_cases'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_case_relations_created_by_id_users')),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_case_relations_tenant_id_tenants')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_relations')),
        sa.UniqueConstraint('case_id', 'related_case_id', name=op.f('uq_case_relations_case_id_related_case_id')),
    )
    with op.batch_alter_table('case_relations', schema=None) as batch_op:
        for column in ('case_id', 'related_case_id', 'tenant_id'):
            batch_op.create_index(batch_op.f(f'ix_case_relations_{column}'), [column], unique=False)
    rls.enable(op, 'case_relations')

    _backfill_hashes()


def _backfill_hashes():
    if context.is_offline_mode():
        log.warning("parties' lookup hashes not computed offline: run `flask parties rehash` after upgrading")
        return
    # Here, not at the top: the keys are the running app's (``flask db upgrade`` runs inside it).
    from cryptography.fernet import Fernet, InvalidToken, MultiFernet
    from flask import current_app

    from webapp.keys import data_keys, lookup_keys
    from webapp.personal_data import lookup_hash

    configured = current_app.config.get("DATA_KEY")
    if not configured:
        log.warning("no DATA_KEY: parties' lookup hashes not computed; run `flask parties rehash`")
        return
    fernet = MultiFernet([Fernet(key) for key in data_keys(configured)])
    key = lookup_keys(configured)[0]
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":  # every township's rows, under row-level security
        connection.execute(sa.text("SELECT set_config('app.all_tenants', 'on', true)"))
    parties = sa.table('parties', sa.column('id', sa.Integer), sa.column('id_number', sa.Text),
                       sa.column('phone', sa.Text), sa.column('id_number_hash', sa.String),
                       sa.column('phone_hash', sa.String))

    def plain(token):
        if token is None:
            return None
        try:
            return fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            return None  # under a key no longer configured: unreadable anyway, so no hash

    rows = connection.execute(sa.select(parties.c.id, parties.c.id_number, parties.c.phone)
                              .where(sa.or_(parties.c.id_number.is_not(None), parties.c.phone.is_not(None)))).all()
    for party_id, id_number, phone in rows:
        connection.execute(parties.update().where(parties.c.id == party_id).values(
            id_number_hash=lookup_hash("id_number", plain(id_number), key),
            phone_hash=lookup_hash("phone", plain(phone), key)))


def downgrade():
    rls.disable(op, 'case_relations')
    op.drop_table('case_relations')
    with op.batch_alter_table('parties', schema=None) as batch_op:
        batch_op.drop_index('ix_parties_tenant_phone_hash')
        batch_op.drop_index('ix_parties_tenant_id_number_hash')
        batch_op.drop_column('phone_hash')
        batch_op.drop_column('id_number_hash')
