"""tenancy: county review reads through a scope over its townships, read-only

Revision ID: e1a2c3d4e5f6
Revises: d7f6a1b2c3d4
Create Date: 2026-12-04 21:00:00.000000

The row-level policy of every tenant-owned table also admits, for reading only, the
townships listed in the transaction's ``app.tenant_ids`` (``tenants.scope.townships_scope``:
the county's pages). Its WITH CHECK stays the township-or-all predicate, so a review scope
can write nothing.
"""
from alembic import op
from sqlalchemy import text

from tenants import rls

# revision identifiers, used by Alembic.
revision = 'e1a2c3d4e5f6'
down_revision = 'd7f6a1b2c3d4'
branch_labels = None
depends_on = None


def _tables():
    return op.get_bind().execute(text(
        "SELECT tablename FROM pg_policies WHERE schemaname = current_schema() AND policyname = :policy "
        "ORDER BY tablename"), {"policy": rls.POLICY}).scalars().all()


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in _tables():
            op.execute(rls.alter_statement(table, rls.READ_PREDICATE, rls.PREDICATE))


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in _tables():
            op.execute(rls.alter_statement(table, rls.PREDICATE, rls.PREDICATE))
