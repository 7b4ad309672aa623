"""The indexes the figures read (created by migration ``d7a1b2c3d4e5``), declared beside the
queries that need them so that the metadata and the migrations agree.

``ix_cases_figures``: a township's (or every township's) cases accepted in a period, in one
index range per township; on PostgreSQL it carries every column the figures read, so the
pass over the period's cases is an index-only scan (once vacuum has marked the pages
all-visible, which autovacuum does). The county dashboard reads the monthly summary instead
(``summary.py``) and only the running cases live.
"""
from sqlalchemy import Index, text

from webapp.cases.models import Case, FollowUp
from webapp.deadlines.models import Escalation, Flag
from webapp.timelimits import RUNNING_STATES

FIGURE_COLUMNS = ("state", "resolved_at", "closed_at", "due_at", "warn_at", "paused_since", "escalated_to", "level",
                  "source", "risk", "difficulty", "category_id", "village_id")

CASES_BY_ACCEPTANCE = Index("ix_cases_figures", Case.tenant_id, Case.accepted_at,
                            postgresql_include=list(FIGURE_COLUMNS))
FLAGS_BY_RAISING = Index("ix_flags_tenant_raised", Flag.tenant_id, Flag.raised_at)
ESCALATIONS_BY_DAY = Index("ix_escalations_tenant_created", Escalation.tenant_id, Escalation.created_at)
# The running cases alone: their lights and overdue count change with the clock, so the summary
# never holds them and the dashboard reads them live from this (small) index.
RUNNING_SQL = "state IN (%s)" % ", ".join(f"'{state}'" for state in RUNNING_STATES)
RUNNING_BY_ACCEPTANCE = Index("ix_cases_figures_running", Case.tenant_id, Case.accepted_at,
                              postgresql_include=["due_at", "warn_at", "paused_since"],
                              postgresql_where=text(RUNNING_SQL), sqlite_where=text(RUNNING_SQL))
# Visits recorded since the summary was last brought up to date.
VISITS_BY_RECORDING = Index("ix_follow_ups_tenant_done", FollowUp.tenant_id, FollowUp.done_at)
