"""cases: a case number has room for any township's name

Revision ID: a2b3c4d5e6f7
Revises: c7a1b2c3d4e5
Create Date: 2026-12-05 01:00:00.000000

A case number is the township's short name and 〔year〕第n号 (``cases.operations.case_number``).
A township's name may be 64 characters long and the county may rename it; the number's 40
left a township with a long name unable to register a dispute on PostgreSQL.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a2b3c4d5e6f7'
down_revision = 'c7a1b2c3d4e5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases') as batch:
        batch.alter_column('number', existing_type=sa.String(length=40), type_=sa.String(length=100),
                           existing_nullable=False)


def downgrade():
    with op.batch_alter_table('cases') as batch:
        batch.alter_column('number', existing_type=sa.String(length=100), type_=sa.String(length=40),
                           existing_nullable=False)
