"""tenancy: a stamp that changes with a township's settings and calendar

Revision ID: a0c1d2e3f4a5
Revises: f1a2b3c4d5e6
Create Date: 2026-12-04 23:20:00.000000

Every township page reads the township's row first; ``config_stamp`` rides along with it, so
a process may keep the township's settings and calendar between requests and read them again
only when the stamp has changed (``webapp.township.settings``).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a0c1d2e3f4a5'
down_revision = 'f1a2b3c4d5e6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tenants') as batch:
        batch.add_column(sa.Column('config_stamp', sa.String(length=32), nullable=False, server_default='initial'))


def downgrade():
    with op.batch_alter_table('tenants') as batch:
        batch.drop_column('config_stamp')
