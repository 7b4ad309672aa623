"""documents: why a render failed, when the system can remedy it

Revision ID: f1a2b3c4d5e6
Revises: f3b1a2c4d5e6
Create Date: 2026-12-04 20:40:00.000000

A case file that failed because the server had no Chinese font is rendered again once a font
is installed (worker.jobs.render_documents_missing_font); ``failure`` tells those documents
apart from ones that failed for any other reason. Documents that failed so before this
revision (their message names the font package) are marked too, to be rendered again.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f1a2b3c4d5e6'
down_revision = 'f3b1a2c4d5e6'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('documents', sa.Column('failure', sa.String(length=30), nullable=True))
    op.create_index('ix_documents_failure', 'documents', ['failure'], unique=False)
    if op.get_bind().dialect.name == "postgresql":  # every township's rows, under row-level security
        op.execute("SELECT set_config('app.all_tenants', 'on', true)")
    op.execute("UPDATE documents SET failure = 'no_cjk_font' "
               "WHERE status = 'failed' AND error LIKE '%fonts-noto-cjk%'")


def downgrade():
    op.drop_index('ix_documents_failure', table_name='documents')
    op.drop_column('documents', 'failure')
