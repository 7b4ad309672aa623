"""Hand-built cases for the figure tests: rows written directly with the dates each test needs
(the workflow itself is tested in tests/cases; here only what the figures read matters)."""
import itertools
from datetime import date, datetime

from sqlalchemy import select

from tenants.scope import tenant_scope
from webapp.cases.models import (
    Case, CaseState, Category, Difficulty, EscalationTarget, FollowUp, Level, Referral, ReferralStatus, Risk, Source,
)
from webapp.extensions import db
from webapp.timelimits import BEIJING

_seq = itertools.count(1)


def bj(y, m, d, h=12, minute=0) -> datetime:
    """A moment in Beijing time (the county's clock)."""
    return datetime(y, m, d, h, minute, tzinfo=BEIJING)


def put(tenant, state, accepted, *, due=None, warn=None, resolved=None, closed=None, archived=None, level="township",
        source="visit", risk="resolvable", difficulty="ordinary", escalated_to=None, paused=None, category=None,
        village_id=None, department_id=None) -> Case:
    n = next(_seq)
    with tenant_scope(tenant.id):
        category_id = db.session.scalar(select(Category.id).where(Category.tenant_id == tenant.id,
                                                                  Category.name == category)) if category else None
        case = Case(tenant_id=tenant.id, year=accepted.year, seq=n, number=f"T{n}", title=f"纠纷{n}", source=Source(source),
                    state=CaseState(state), level=Level(level), accepted_at=accepted, clock_started_at=accepted,
                    difficulty=None if state == "registered" else Difficulty(difficulty),
                    risk=None if state == "registered" else Risk(risk), limit_days=None if state == "registered" else 7,
                    due_at=due, warn_at=warn, resolved_at=resolved, closed_at=closed, archived_at=archived,
                    escalated_to=EscalationTarget(escalated_to) if escalated_to else None, paused_since=paused, category_id=category_id, village_id=village_id,
                    department_id=department_id)
        db.session.add(case)
        db.session.flush()
        return case


def visit(case, due_on: date, *, done=None, carried_out=None):
    with tenant_scope(case.tenant_id):
        db.session.add(FollowUp(tenant_id=case.tenant_id, case_id=case.id, due_on=due_on, done_at=done,
                                carried_out=carried_out))
        db.session.flush()


def referral(case, department, referred, *, accept_by, accepted=None, status="pending"):
    with tenant_scope(case.tenant_id):
        db.session.add(Referral(tenant_id=case.tenant_id, case_id=case.id, department_id=department.id,
                                referred_at=referred, accept_by=accept_by, accepted_at=accepted, status=ReferralStatus(status)))
        db.session.flush()
