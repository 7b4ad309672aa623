"""board: the warning moment in the column index

Revision ID: e8f5e6f7a8b9
Revises: bb5dfc325148
Create Date: 2026-11-28 11:45:00.000000

A card turns yellow at its case's warning moment (``cases.warn_at``: the township's warning
days before the deadline, counted in calendar or working days). The board's change
fingerprint counts the yellow cards from ``ix_cases_board`` alone; with ``warn_at`` in the
index it does so without reading the case rows (webapp/board/indexes.py).
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e8f5e6f7a8b9'
down_revision = 'bb5dfc325148'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_cases_board', table_name='cases')
    op.create_index('ix_cases_board', 'cases', ['tenant_id', 'state', 'due_at', 'id', 'warn_at'], unique=False)


def downgrade():
    op.drop_index('ix_cases_board', table_name='cases')
    op.create_index('ix_cases_board', 'cases', ['tenant_id', 'state', 'due_at', 'id'], unique=False)
