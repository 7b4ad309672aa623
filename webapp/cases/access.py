"""Every lookup of a case goes through here, filtered by township explicitly (the global
filter would too) and, for a department's liaison, by what was referred to them."""
from flask import abort, g
from sqlalchemy import exists, select

from tenants.models import Role
from webapp.cases.models import Case, Party, Referral
from webapp.extensions import db


def visible_cases():
    """A select of the cases the current member may see."""
    query = select(Case).where(Case.tenant_id == g.tenant.id)
    membership = g.membership
    if membership.role == Role.LIAISON:
        query = query.where(exists().where(
            Referral.case_id == Case.id, Referral.department_id == membership.department_id))
    return query


def get_case_or_404(case_id: int) -> Case:
    case = db.session.scalar(visible_cases().where(Case.id == case_id))
    if case is None:
        abort(404)
    return case


def get_party_or_404(case: Case, party_id: int) -> Party:
    party = db.session.scalar(select(Party).where(
        Party.id == party_id, Party.case_id == case.id, Party.tenant_id == g.tenant.id))
    if party is None:
        abort(404)
    return party
