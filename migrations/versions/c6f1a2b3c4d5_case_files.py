"""case files: rendered documents, versions and their checksums

Revision ID: c6f1a2b3c4d5
Revises: e8f5e6f7a8b9
Create Date: 2026-11-28 11:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import webapp.types
from tenants import rls

# revision identifiers, used by Alembic.
revision = 'c6f1a2b3c4d5'
down_revision = 'e8f5e6f7a8b9'
branch_labels = None
depends_on = None

_FINAL = "a ready document never changes: render a new version"

# A ready document is final: no UPDATE, no DELETE, whatever the code above the database does.
_PG_TRIGGER = f"""
CREATE FUNCTION documents_ready_is_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status = 'ready' THEN
    RAISE EXCEPTION '{_FINAL}' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER documents_ready_is_final BEFORE UPDATE OR DELETE ON documents
  FOR EACH ROW EXECUTE FUNCTION documents_ready_is_final();
"""

_SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER documents_ready_no_update BEFORE UPDATE ON documents WHEN OLD.status = 'ready'
        BEGIN SELECT RAISE(ABORT, '{_FINAL}'); END""",
    f"""CREATE TRIGGER documents_ready_no_delete BEFORE DELETE ON documents WHEN OLD.status = 'ready'
        BEGIN SELECT RAISE(ABORT, '{_FINAL}'); END""",
]


def upgrade():
    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'ready', 'failed', name='documentstatus', native_enum=False, length=10), nullable=False),
    sa.Column('masked', sa.Boolean(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('params', sa.JSON(), nullable=True),
    sa.Column('storage_key', sa.String(length=200), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('pages', sa.Integer(), nullable=True),
    sa.Column('progress', sa.Integer(), nullable=True),
    sa.Column('total', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', webapp.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('rendered_at', webapp.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('version > 0', name=op.f('ck_documents_version_positive')),
    sa.CheckConstraint("status IN ('pending', 'ready', 'failed')", name=op.f('ck_documents_status_known')),
    sa.CheckConstraint("status <> 'ready' OR (storage_key IS NOT NULL AND sha256 IS NOT NULL AND size IS NOT NULL)",
                       name=op.f('ck_documents_ready_is_stored')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_documents_case_id_cases')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_documents_requested_by_id_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_documents_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_documents_storage_key'))
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_tenant_id'), ['tenant_id'], unique=False)
    op.create_index('uq_documents_version', 'documents',
                    ['tenant_id', 'kind', sa.text('coalesce(subject_id, 0)'), 'version'], unique=True)

    if op.get_bind().dialect.name == 'postgresql':
        op.execute(_PG_TRIGGER)
    else:
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)
    rls.enable(op, 'documents')


def downgrade():
    rls.disable(op, 'documents')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS documents_ready_is_final ON documents")
        op.execute("DROP FUNCTION IF EXISTS documents_ready_is_final()")
    else:
        op.execute("DROP TRIGGER IF EXISTS documents_ready_no_update")
        op.execute("DROP TRIGGER IF EXISTS documents_ready_no_delete")
    op.drop_index('uq_documents_version', table_name='documents')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_documents_status'))
        batch_op.drop_index(batch_op.f('ix_documents_case_id'))
    op.drop_table('documents')
