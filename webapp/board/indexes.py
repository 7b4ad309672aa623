"""The indexes the board's queries run on (created by migration ``b0a4d0c1e7f2``).

Declared on the ``cases`` table here, beside the queries that need them, so that the
metadata and the migrations agree and autogenerate does not propose dropping them.
"""
from sqlalchemy import Index

from webapp.cases.models import Case

# A column of the board: one township, one state, in deadline order (keyset pagination),
# and the per-state counts and change fingerprint from the same index range (the warning
# moment rides along, so that the lights are counted without reading the case rows).
BOARD_COLUMN = Index("ix_cases_board", Case.tenant_id, Case.state, Case.due_at, Case.id, Case.warn_at)
# What changed since the last poll.
RECENT_CHANGES = Index("ix_cases_tenant_updated", Case.tenant_id, Case.updated_at)
