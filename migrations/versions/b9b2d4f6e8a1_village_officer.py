"""villages: the stability officer who answers for each (属地)

Revision ID: b9b2d4f6e8a1
Revises: b9a1c3e5d7f0
Create Date: 2026-12-04 23:10:00.000000

A stability officer sees the cases of the villages they answer for as their own (overview,
board, "mine" on the case list), not only those assigned to them or registered by them.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b9b2d4f6e8a1'
down_revision = 'b9a1c3e5d7f0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('villages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('officer_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_villages_officer_id_users'), 'users', ['officer_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_villages_officer_id'), ['officer_id'], unique=False)


def downgrade():
    with op.batch_alter_table('villages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_villages_officer_id'))
        batch_op.drop_constraint(batch_op.f('fk_villages_officer_id_users'), type_='foreignkey')
        batch_op.drop_column('officer_id')
