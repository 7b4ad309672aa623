"""sweep: a partial index on the follow-up visits still open, for the missed-visit check

Revision ID: bb5dfc325148
Revises: b5da4cc9b830
Create Date: 2026-11-28 10:45:00.000000

Every sweep looks for visits not done and not yet flagged (``done_at IS NULL AND
missed_flagged IS false``, due before today). Without this index PostgreSQL reads every
follow-up row of every township, twice per sweep (the INSERT of the flags and the UPDATE
that marks them): about 0.25 s per sweep at 320,000 follow-ups (bench/sweep.py), against
a few milliseconds with it. Declared beside the query in ``webapp/deadlines/sweep.py``.
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'bb5dfc325148'
down_revision = 'b5da4cc9b830'
branch_labels = None
depends_on = None


def upgrade():
    # The predicate is written as the sweep's query writes it on each database, so that the
    # planner can match it (SQLAlchemy renders ``.is_(False)`` as IS false / IS 0).
    op.create_index('ix_follow_ups_open', 'follow_ups', ['tenant_id', 'due_on'], unique=False,
                    postgresql_where=sa.text('done_at IS NULL AND missed_flagged IS false'),
                    sqlite_where=sa.text('done_at IS NULL AND missed_flagged IS 0'))


def downgrade():
    op.drop_index('ix_follow_ups_open', table_name='follow_ups')
