"""board: indexes for the columns of the case board and for polling its changes

Revision ID: b0a4d0c1e7f2
Revises: 6093e3ae0292
Create Date: 2026-11-28 12:00:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b0a4d0c1e7f2'
down_revision = '6093e3ae0292'
branch_labels = None
depends_on = None


def upgrade():
    # One township's column in deadline order (webapp/board/indexes.py).
    op.create_index('ix_cases_board', 'cases', ['tenant_id', 'state', 'due_at', 'id'], unique=False)
    op.create_index('ix_cases_tenant_updated', 'cases', ['tenant_id', 'updated_at'], unique=False)


def downgrade():
    op.drop_index('ix_cases_tenant_updated', table_name='cases')
    op.drop_index('ix_cases_board', table_name='cases')
