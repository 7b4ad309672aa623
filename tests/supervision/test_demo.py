"""The demo's supervision: a party-committee account per township, an open assignment from the
county, and a case reported to the county answered with an instruction."""
from sqlalchemy import select

from tenants.models import Membership, Role, Tenant
from tenants.scope import tenant_scope
from webapp.auth.models import User
from webapp.cases.models import CaseEvent
from webapp.deadlines.models import AlertKind, Escalation, EscalationLevel
from webapp.supervision.models import Assignment

SLUGS = ("mangbang", "heshun", "jietou")


def test_the_demo_has_the_party_committee_an_assignment_and_an_answered_report(demo_db):
    db = demo_db
    for slug in SLUGS:
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
        party = db.session.scalar(select(Membership).join(User).where(User.username == f"{slug}.party"))
        assert party is not None and party.role == Role.PARTY and party.tenant_id == tenant.id, slug
        with tenant_scope(tenant.id):
            assert db.session.scalar(select(Assignment.id).where(Assignment.case_id.is_(None))) is not None, slug
            report = db.session.scalar(select(Escalation).where(
                Escalation.level == EscalationLevel.COUNTY, Escalation.reason == AlertKind.MANUAL,
                Escalation.instructed_at.is_not(None)))
            assert report is not None and report.instruction and report.note, slug
            kinds = db.session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == report.case_id)).all()
            assert "instruction:county" in kinds, slug
