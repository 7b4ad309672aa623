"""figures: indexes for the county dashboard, and the monthly summary of the figures

Revision ID: d7a1b2c3d4e5
Revises: c6f1a2b3c4d5
Create Date: 2026-11-28 11:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import webapp.types
from tenants import rls

# revision identifiers, used by Alembic.
revision = 'd7a1b2c3d4e5'
down_revision = 'c6f1a2b3c4d5'
branch_labels = None
depends_on = None


# Every column the figures read from a case, carried in the index on PostgreSQL (INCLUDE), so
# that the pass over a period's cases never visits the table (webapp/figures/indexes.py).
FIGURE_COLUMNS = ["state", "resolved_at", "closed_at", "due_at", "warn_at", "paused_since", "escalated_to", "level",
                  "source", "risk", "difficulty", "category_id", "village_id"]
RUNNING = "state IN ('assessed', 'mediating', 'referred', 'returned', 'escalated')"


def upgrade():
    op.create_index("ix_cases_figures", "cases", ["tenant_id", "accepted_at"], postgresql_include=FIGURE_COLUMNS)
    op.create_index("ix_flags_tenant_raised", "flags", ["tenant_id", "raised_at"])
    op.create_index("ix_escalations_tenant_created", "escalations", ["tenant_id", "created_at"])
    # The running cases alone (their lights change with time, so they are always read live).
    op.create_index("ix_cases_figures_running", "cases", ["tenant_id", "accepted_at"],
                    postgresql_include=["due_at", "warn_at", "paused_since"],
                    postgresql_where=sa.text(RUNNING), sqlite_where=sa.text(RUNNING))
    # Visits recorded since the summary was brought up to date.
    op.create_index("ix_follow_ups_tenant_done", "follow_ups", ["tenant_id", "done_at"])
    op.create_table(
        "figure_months",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("computed_at", webapp.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_figure_months_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figure_months")),
        sa.UniqueConstraint("tenant_id", "month", name=op.f("uq_figure_months_tenant_id_month")),
    )
    op.create_index(op.f("ix_figure_months_tenant_id"), "figure_months", ["tenant_id"])
    op.create_table(
        "figure_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("through", webapp.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_figure_marks_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figure_marks")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_figure_marks_tenant_id")),
    )
    op.create_index(op.f("ix_figure_marks_tenant_id"), "figure_marks", ["tenant_id"])
    rls.enable(op, "figure_months")
    rls.enable(op, "figure_marks")


def downgrade():
    rls.disable(op, "figure_marks")
    rls.disable(op, "figure_months")
    op.drop_table("figure_marks")
    op.drop_table("figure_months")
    op.drop_index("ix_follow_ups_tenant_done", table_name="follow_ups")
    op.drop_index("ix_cases_figures_running", table_name="cases")
    op.drop_index("ix_escalations_tenant_created", table_name="escalations")
    op.drop_index("ix_flags_tenant_raised", table_name="flags")
    op.drop_index("ix_cases_figures", table_name="cases")
